/**
 * A small box-bounded Nelder–Mead minimizer for the 2-parameter likelihoods of GARCH(1,1) and DCC(1,1).
 *
 * Method: the downhill simplex of Nelder & Mead, "A simplex method for function minimization" (Computer Journal 7,
 * 1965), with the standard coefficients (reflection 1, expansion 2, contraction ½, shrink ½) and the ordering and
 * tie rules of Lagarias, Reeds, Wright & Wright, "Convergence properties of the Nelder–Mead simplex method in low
 * dimensions" (SIAM J. Optim. 9, 1998). Bounds: every trial point is projected onto the box [lower, upper] (the
 * usual "clamping" variant; the callers reparametrize their constraints into a box, e.g. persistence and share for
 * (α, β) with α + β < 1). Stopping: like scipy's `fmin`, when the simplex is within `tolX` of its best vertex in
 * every coordinate AND its function values are within `tolF` of the best. Projection can flatten the simplex
 * against a face of the box, where it may stall short of the optimum; so after convergence the search restarts from
 * the best point with a fresh simplex, until a restart no longer improves by more than `tolF` (at most `restarts`).
 *
 * Why not a package: the npm candidates checked were `fmin` 0.0.4 (unconstrained only, no types, a plotting
 * package as a runtime dependency) and `optimization-js` 1.5 (browserify, jsdoc and travis as runtime
 * dependencies); neither handles bounds, and a bounded 2-D simplex is ~100 lines. Tested in
 * test/forecast/optimize.test.ts (Rosenbrock's minimum; a minimum outside the box lands on its face).
 */
export interface MinimizeOptions {
  /** Lower bounds, one per coordinate (default −∞). */
  lower?: readonly number[];
  /** Upper bounds, one per coordinate (default +∞). */
  upper?: readonly number[];
  /** Initial simplex edge per coordinate (default 5% of |x0|, or 0.00025 where x0 is 0, as in scipy). */
  step?: readonly number[];
  /** Absolute tolerance on the spread of function values over the simplex (default 1e-10). */
  tolF?: number;
  /** Absolute tolerance on the simplex's extent in each coordinate (default 1e-7). */
  tolX?: number;
  /** Evaluation budget over all restarts (default 400 per coordinate); the step under way may use up to dim + 2 more. */
  maxEvals?: number;
  /** Most restarts after a convergence (default 3). */
  restarts?: number;
}

export interface MinimizeResult {
  /** Best point found (inside the box). */
  x: number[];
  /** f(x). */
  f: number;
  /** Function evaluations used. */
  evals: number;
  /** True when the stopping rule held (false: maxEvals ran out first, or f was never finite). */
  converged: boolean;
}

/**
 * Minimize f over the box. Non-finite values of f (NaN, ±∞) are treated as +∞, so an objective may return NaN or
 * Infinity where it is undefined (a non-positive-definite matrix, say) and the simplex moves away from there.
 */
export function nelderMead(f: (x: number[]) => number, x0: readonly number[], opts: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  if (n < 1) throw new RangeError('nelderMead needs at least one coordinate');
  const lower = opts.lower ?? x0.map(() => -Infinity);
  const upper = opts.upper ?? x0.map(() => Infinity);
  if (lower.length !== n || upper.length !== n) throw new RangeError('nelderMead: bounds must have one entry per coordinate');
  for (let k = 0; k < n; k++) {
    if (!(lower[k] <= upper[k])) throw new RangeError(`nelderMead: empty box in coordinate ${k}: [${lower[k]}, ${upper[k]}]`);
  }
  const tolF = opts.tolF ?? 1e-10;
  const tolX = opts.tolX ?? 1e-7;
  const maxEvals = opts.maxEvals ?? 400 * n;
  const maxRestarts = opts.restarts ?? 3;
  const step = opts.step ?? x0.map((v) => (v !== 0 ? 0.05 * Math.abs(v) : 0.00025));

  const project = (x: number[]): number[] => x.map((v, k) => Math.min(upper[k], Math.max(lower[k], v)));
  let evals = 0;
  const value = (x: number[]): number => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  let best = project([...x0]);
  let fBest = value(best);
  let converged = false;
  for (let round = 0; round <= maxRestarts && evals < maxEvals; round++) {
    const run = simplexRun(best, fBest);
    const improved = fBest - run.f;
    if (run.f <= fBest) {
      best = run.x;
      fBest = run.f;
    }
    converged = run.converged && Number.isFinite(fBest);
    // A restart that gains less than tolF confirms the optimum.
    if (!run.converged || (round > 0 && !(improved > tolF))) break;
  }
  return { x: best, f: fBest, evals, converged };

  function simplexRun(start: number[], fStart: number): { x: number[]; f: number; converged: boolean } {
    // Initial simplex: start plus one step along each axis (stepping back where the forward step leaves the box).
    const pts: number[][] = [start];
    const fs: number[] = [fStart];
    for (let k = 0; k < n; k++) {
      const p = [...start];
      p[k] = start[k] + step[k] <= upper[k] ? start[k] + step[k] : start[k] - step[k];
      const q = project(p);
      pts.push(q);
      fs.push(value(q));
    }
    const order = (): void => {
      const idx = pts.map((_, i) => i).sort((i, j) => fs[i] - fs[j] || i - j);
      const p2 = idx.map((i) => pts[i]);
      const f2 = idx.map((i) => fs[i]);
      for (let i = 0; i <= n; i++) {
        pts[i] = p2[i];
        fs[i] = f2[i];
      }
    };
    const along = (c: number[], w: number[], t: number): number[] => project(c.map((v, k) => v + t * (w[k] - v)));
    while (evals < maxEvals) {
      order();
      let spreadX = 0;
      for (let i = 1; i <= n; i++) for (let k = 0; k < n; k++) spreadX = Math.max(spreadX, Math.abs(pts[i][k] - pts[0][k]));
      const spreadF = fs[n] - fs[0];
      if (spreadX <= tolX && spreadF <= tolF) return { x: pts[0], f: fs[0], converged: true };
      // Centroid of all but the worst.
      const c = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) c[k] += pts[i][k] / n;
      const worst = pts[n];
      const xr = along(c, worst, -1);
      const fr = value(xr);
      if (fr < fs[0]) {
        const xe = along(c, worst, -2);
        const fe = value(xe);
        if (fe < fr) {
          pts[n] = xe;
          fs[n] = fe;
        } else {
          pts[n] = xr;
          fs[n] = fr;
        }
        continue;
      }
      if (fr < fs[n - 1]) {
        pts[n] = xr;
        fs[n] = fr;
        continue;
      }
      // Contraction: outside when the reflection beat the worst, inside otherwise.
      const outside = fr < fs[n];
      const xc = outside ? along(c, worst, -0.5) : along(c, worst, 0.5);
      const fc = value(xc);
      if (outside ? fc <= fr : fc < fs[n]) {
        pts[n] = xc;
        fs[n] = fc;
        continue;
      }
      // Shrink toward the best vertex.
      for (let i = 1; i <= n; i++) {
        pts[i] = along(pts[0], pts[i], 0.5);
        fs[i] = value(pts[i]);
      }
    }
    order();
    return { x: pts[0], f: fs[0], converged: false };
  }
}

/**
 * The best point of a grid over (persistence, share), as the Nelder–Mead start of the GARCH and DCC fits (their
 * likelihoods are flat and multimodal enough near the boundary that one fixed start can land in the wrong basin).
 * Ties keep the first; a grid where every value is non-finite gives [0.95, 0.05].
 */
export function bestOnGrid(objective: (x: number[]) => number, persistence: readonly number[], share: readonly number[]): number[] {
  let start = [0.95, 0.05];
  let best = Infinity;
  for (const phi of persistence) {
    for (const s of share) {
      const v = objective([phi, s]);
      if (v < best) {
        best = v;
        start = [phi, s];
      }
    }
  }
  return start;
}
