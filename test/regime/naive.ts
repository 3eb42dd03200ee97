/**
 * Naive, independent re-implementations used as oracles by the regime tests: full sorts, two-pass sums, plain
 * loops. Nothing here imports the module under test.
 */

/** Median by a full sort of a copy. */
export function naiveMedian(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** 1.4826 × median |x − median(x)| (0 for fewer than 2 values). */
export function naiveMad(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const med = naiveMedian(xs);
  return 1.4826 * naiveMedian(xs.map((x) => Math.abs(x - med)));
}

export function naiveMean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Two-pass sample standard deviation (n − 1); 0 for fewer than 2 values. */
export function naiveStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = naiveMean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Pearson correlation by the textbook two-pass formula. */
export function naivePearson(x: readonly number[], y: readonly number[]): number {
  const mx = naiveMean(x);
  const my = naiveMean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let t = 0; t < x.length; t++) {
    sxy += (x[t] - mx) * (y[t] - my);
    sxx += (x[t] - mx) ** 2;
    syy += (y[t] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Average off-diagonal Pearson correlation of the rows [end − W, end) of `rows` (rows[t][i]). */
export function naiveAvgRho(rows: readonly (readonly number[])[], end: number, W: number): number {
  const n = rows[0].length;
  const cols = Array.from({ length: n }, (_, i) => rows.slice(end - W, end).map((r) => r[i]));
  let s = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      s += naivePearson(cols[i], cols[j]);
      m++;
    }
  }
  return s / m;
}

/**
 * Returns divided by the EWMA volatility of the bars before them, clipped at ±2.5 (the spec of VolatilityScaler,
 * written from METHODS/detector docs): the first 20 rows only seed σ² = mean of r² and produce nothing; then
 * u_t = clip(r_t / σ_{t−1}, ±2.5) and σ²_t = λσ²_{t−1} + (1 − λ)r²_t, λ = 2^(−1/halfLife).
 * Returns one entry per input row: undefined during the seeding.
 */
export function naiveVolScale(
  rows: readonly (readonly number[])[],
  halfLife: number,
  warmup = 20,
  clip = 2.5,
  opts: { outlierCap?: number; missing?: readonly (readonly boolean[])[] } = {},
): (number[] | undefined)[] {
  const n = rows[0].length;
  const lambda = Math.pow(0.5, 1 / halfLife);
  const cap = opts.outlierCap ?? Infinity;
  const isMissing = (t: number, i: number) => opts.missing?.[t]?.[i] === true;
  const out: (number[] | undefined)[] = [];
  let varPrev: number[] = [];
  for (let t = 0; t < rows.length; t++) {
    if (t < warmup) {
      out.push(undefined);
      if (t === warmup - 1) {
        varPrev = Array.from({ length: n }, (_, i) => {
          let s = 0;
          for (let k = 0; k < warmup; k++) if (!isMissing(k, i)) s += rows[k][i] ** 2;
          return s / warmup;
        });
      }
      continue;
    }
    const u = rows[t].map((r, i) => {
      if (isMissing(t, i)) return 0;
      const v = varPrev[i];
      const raw = v > 0 ? r / Math.sqrt(v) : 0;
      return Math.min(clip, Math.max(-clip, raw));
    });
    varPrev = rows[t].map((r, i) => {
      if (isMissing(t, i)) return varPrev[i];
      // The variance's input, bounded at cap² times the variance (when there is one).
      const input = varPrev[i] > 0 ? Math.min(r * r, cap * cap * varPrev[i]) : r * r;
      return lambda * varPrev[i] + (1 - lambda) * input;
    });
    out.push(u);
  }
  return out;
}

/**
 * Which returns are missing as a halt (src/regime/halts.ts), recomputed from scratch per bar: per symbol, the rate p
 * of zero returns is the (1 − λ)-weighted sum of the zero indicators of the returns not missing so far, divided by
 * 1 − λ^k for k such returns; a run of zeros that began when the rate was p is a halt from its L-th zero on, L the
 * least whole number ≥ minRun with p^L < tolerance; the first non-zero return after a halt is missing too.
 */
export function naiveHalts(rows: readonly (readonly number[])[], minRun = 3, tolerance = 1e-3, halfLife = 500): boolean[][] {
  const lambda = Math.pow(0.5, 1 / halfLife);
  const n = rows[0]?.length ?? 0;
  const out = rows.map((row) => row.map(() => false));
  for (let i = 0; i < n; i++) {
    const taken: boolean[] = []; // zero indicators of the returns not missing, in order
    const rateNow = () => {
      const k = taken.length;
      if (k === 0) return 0;
      let s = 0;
      taken.forEach((z, j) => (s += z ? (1 - lambda) * Math.pow(lambda, k - 1 - j) : 0));
      return s / (1 - Math.pow(lambda, k));
    };
    const runLength = (p: number) => {
      if (p <= 0) return minRun;
      if (p >= 1) return Infinity;
      let L = minRun;
      while (Math.pow(p, L) >= tolerance) L++;
      return L;
    };
    let run = 0;
    let needed = minRun;
    for (let t = 0; t < rows.length; t++) {
      const r = rows[t][i];
      if (r === 0) {
        if (run === 0) needed = runLength(rateNow());
        run++;
        out[t][i] = run >= needed;
      } else {
        out[t][i] = run >= needed;
        run = 0;
      }
      if (!out[t][i]) taken.push(r === 0);
    }
  }
  return out;
}

/** Rows (one array per bar) of a column-major set of series. */
export function rowsOf(cols: readonly ArrayLike<number>[]): number[][] {
  const T = cols[0].length;
  return Array.from({ length: T }, (_, t) => cols.map((c) => c[t]));
}

/** |a − b| ≤ tol·max(1, |b|): absolute near 0, relative for large values. */
export function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}
