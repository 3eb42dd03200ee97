import { jacobiEigen, symmetricEigenvalues } from './eigen.js';
import { checkSquare } from './guards.js';

export interface TopEigenOptions {
  /**
   * Accept an iterate only when a rigorous bound on its error is <= rtol × |value| (default 1e-12, tighter than the
   * 1e-11 the fixture tests compare eigen results at; about one more O(N²) iteration than 1e-10): the result then
   * equals the full decomposition to about rtol (plus rounding of order 1e-15·‖A‖ on both sides).
   */
  rtol?: number;
  /** Iterations (one O(N²k) product each) before falling back to the full decomposition (default 30). */
  maxIterations?: number;
}

/** Why a call fell back to the full decomposition. */
export type FallbackReason = 'no-gap' | 'slow' | 'max-iterations' | 'non-finite';

/**
 * Largest eigenvalue, and sum of the k largest, of a sequence of slowly moving real symmetric N×N row-major
 * matrices (rolling correlation/covariance), each by an O(N²k) iteration warm-started from the previous matrix's
 * leading eigenvector(s), certified by a rigorous error bound, with the full O(N³) decomposition
 * (`symmetricEigenvalues`) as fallback whenever the bound cannot be met within `maxIterations`. The result therefore
 * always equals the full decomposition to ~rtol relative.
 *
 * Certificates (A symmetric, trace t, ‖A‖_F² = Σλ², Ritz values θ_1 >= … >= θ_k of an orthonormal k-frame Q,
 * residual R = AX − XΘ of the Ritz vectors X, ρ = ‖R‖_F):
 * - θ_i <= λ_i (Cauchy/Poincaré interlacing), so Σθ_i is a lower bound of S_k = Σ_{i<=k} λ_i.
 * - λ_{k+1} <= α: the N−k remaining eigenvalues sum to <= t − Σθ and their squares to <= ‖A‖_F² − Σθ², and by
 *   Samuelson's inequality the largest of m numbers with sum T and sum of squares V is <= T/m + sqrt((m−1)/m·(V − T²/m)).
 *   That bound decreases in each λ_i >= T/m, so evaluating it at θ (<= λ) is safe when every θ_i >= T/m.
 * - If δ = θ_k − α > 0: k = 1, Kato–Temple: λ_1 <= θ + ρ²/δ. k > 1: S_k − Σθ = Σ_{j<=k}(λ_j − θ_k)s_j +
 *   Σ_{j>k}(θ_k − λ_j)c_j with Σs_j = Σc_j = ‖sin Θ‖_F² <= ρ²/δ² (Davis–Kahan), and (θ_k − λ_j)c_j <= ‖u_jᵀR‖²/δ,
 *   so S_k − Σθ <= ρ²/δ · (1 + (λ_1^max − θ_k)/δ), λ_1^max = min(‖A‖_F, Gershgorin).
 * - Cap (scalar-like spectra, e.g. the identity, where there is no gap): S_k <= k·t/N + sqrt(k(N−k)/N·(‖A‖_F² − t²/N))
 *   (the largest sum of k of N numbers with that sum and sum of squares); accepted when Σθ reaches it.
 * A gap exists only when the top k eigenvalues stand clear of the rest: λ_1 of a correlation matrix with a common
 * factor is the typical case. The k = round(N/5) eigenvalues of the absorption ratio usually reach into the noise bulk,
 * where no O(N²) certificate exists: those calls stop once the Ritz values have settled without a gap ('no-gap') and
 * fall back, and after a wide miss the next NO_GAP_SKIP = 15 calls fall back without probing. `fallbacks` counts
 * every fallback.
 *
 * Intended for positive semi-definite matrices (power iteration then converges to the largest eigenvalue); any other
 * symmetric matrix is still answered correctly, through the fallback when the iteration cannot be certified.
 */
export class TopEigen {
  /** Matrix order N. */
  readonly order: number;
  /** Calls of `largest` and `topSum`. */
  calls = 0;
  /** Calls answered by the full decomposition. */
  fallbacks = 0;
  /** Fallbacks by reason. */
  readonly fallbackReasons: Record<FallbackReason, number> = { 'no-gap': 0, slow: 0, 'max-iterations': 0, 'non-finite': 0 };
  /** Matrix–block products performed (each O(N²k)). */
  iterations = 0;
  private readonly rtol: number;
  private readonly maxIterations: number;
  private v: Float64Array | null = null; // leading vector for largest()
  private readonly w: Float64Array;
  private q: Float64Array | null = null; // k orthonormal vectors (vector-major k×N) for topSum()
  private qk = 0;
  private skipTop = 0; // topSum() calls left that go straight to the full decomposition (see NO_GAP_SKIP)
  private scratch: { z: Float64Array; x: Float64Array; h: Float64Array; vecs: Float64Array; theta: Float64Array } | null = null;

  constructor(order: number, opts: TopEigenOptions = {}) {
    if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer, got ${order}`);
    const rtol = opts.rtol ?? 1e-12;
    const maxIterations = opts.maxIterations ?? 30;
    if (!(rtol > 0 && rtol < 1)) throw new RangeError(`rtol must be in (0, 1), got ${rtol}`);
    if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`maxIterations must be a positive integer, got ${maxIterations}`);
    this.order = order;
    this.rtol = rtol;
    this.maxIterations = maxIterations;
    this.w = new Float64Array(order);
  }

  /** Forget the warm-start vectors (the next call starts cold). Counters are kept. */
  reset(): void {
    this.skipTop = 0;
    this.v = null;
    this.q = null;
    this.qk = 0;
  }

  /** Fraction of calls that fell back to the full decomposition (0 before any call). */
  get fallbackRate(): number {
    return this.calls === 0 ? 0 : this.fallbacks / this.calls;
  }

  /** Largest eigenvalue λ_1 of the symmetric N×N row-major matrix m (not modified). */
  largest(m: Float64Array): number {
    const N = this.order;
    checkSquare(m, N);
    this.calls++;
    if (N === 1) return m[0];
    const s = matrixSums(m, N);
    if (!Number.isFinite(s.fro2) || !Number.isFinite(s.trace)) return this.fallback(m, 1, 'non-finite');
    if (s.fro2 === 0) return 0;
    const cap = capTopSum(s, N, 1);
    let v = this.v;
    if (v === null) v = this.v = startVector(N, 0);
    const w = this.w;
    const track: Track = { value: NaN, bound: NaN };
    for (let it = 0; it < this.maxIterations; it++) {
      this.iterations++;
      matVec(m, N, v, w);
      let vv = 0;
      let vw = 0;
      for (let i = 0; i < N; i++) {
        vv += v[i] * v[i];
        vw += v[i] * w[i];
      }
      const theta = vw / vv;
      if (!Number.isFinite(theta)) {
        this.v = null;
        return this.fallback(m, 1, 'non-finite');
      }
      // ‖Av − θv‖² for unit v
      let r2 = 0;
      let ww = 0;
      for (let i = 0; i < N; i++) {
        const d = w[i] - theta * v[i];
        r2 += d * d;
        ww += w[i] * w[i];
      }
      r2 /= vv;
      const tol = this.rtol * Math.abs(theta);
      if (theta >= cap - tol) {
        normalizeInto(w, v, ww);
        return theta;
      }
      const alpha = samuelsonBound(s, N, 1, theta, theta * theta, theta);
      // Kato–Temple: θ <= λ_1 <= θ + ‖r‖²/(θ − α)
      const verdict = this.judge(track, it, theta, alpha < theta ? r2 / (theta - alpha) : NaN, tol);
      if (!(ww > 0 && Number.isFinite(ww))) {
        // Av = 0 (v in the null space) or overflow: restart from a fixed vector next time
        this.v = null;
        if (verdict === 'accept') return theta;
        return this.fallback(m, 1, Number.isFinite(ww) ? 'max-iterations' : 'non-finite');
      }
      normalizeInto(w, v, ww); // the next iterate, kept as the warm start
      if (verdict === 'accept') {
        return theta;
      }
      if (verdict !== 'continue') {
        return this.fallback(m, 1, verdict);
      }
    }
    return this.fallback(m, 1, 'max-iterations');
  }

  /**
   * Sum of the k largest eigenvalues of the symmetric N×N row-major matrix m (not modified), by block subspace
   * iteration with Rayleigh–Ritz on k vectors warm-started from the previous call's (with the same k).
   */
  topSum(m: Float64Array, k: number): number {
    const N = this.order;
    checkSquare(m, N);
    if (!Number.isInteger(k) || k < 1 || k > N) throw new RangeError(`k must be an integer in [1, ${N}], got ${k}`);
    this.calls++;
    const s = matrixSums(m, N);
    if (!Number.isFinite(s.fro2) || !Number.isFinite(s.trace)) return this.fallback(m, k, 'non-finite');
    if (k === N) return s.trace;
    if (s.fro2 === 0) return 0;
    if (this.skipTop > 0 && this.qk === k) {
      this.skipTop--;
      return this.fallback(m, k, 'no-gap');
    }
    const cap = capTopSum(s, N, k);
    if (this.q === null || this.qk !== k) {
      this.q = new Float64Array(k * N);
      for (let c = 0; c < k; c++) this.q.set(startVector(N, c), c * N);
      orthonormalize(this.q, N, k);
      this.qk = k;
    }
    const q = this.q;
    if (this.scratch === null || this.scratch.theta.length !== k) {
      this.scratch = { z: new Float64Array(k * N), x: new Float64Array(k * N), h: new Float64Array(k * k), vecs: new Float64Array(k * k), theta: new Float64Array(k) };
    }
    const { z, x, h, vecs, theta } = this.scratch; // z: A·Q; x: Ritz vectors X = Q·V
    const lambda1Max = Math.min(Math.sqrt(s.fro2), s.gershgorin);
    const track: Track = { value: NaN, bound: NaN };
    for (let it = 0; it < this.maxIterations; it++) {
      this.iterations++;
      for (let c = 0; c < k; c++) matVec(m, N, q.subarray(c * N, (c + 1) * N), z.subarray(c * N, (c + 1) * N));
      // projected matrix H = QᵀAQ (symmetrised)
      for (let a = 0; a < k; a++) {
        for (let b = a; b < k; b++) {
          let sab = 0;
          let sba = 0;
          for (let i = 0; i < N; i++) {
            sab += q[a * N + i] * z[b * N + i];
            sba += q[b * N + i] * z[a * N + i];
          }
          h[a * k + b] = h[b * k + a] = 0.5 * (sab + sba);
        }
      }
      if (!h.every(Number.isFinite)) {
        this.q = null;
        return this.fallback(m, k, 'non-finite');
      }
      jacobiEigen(h, k, theta, vecs); // descending θ, eigenvector j in column j of vecs
      // X = Q·V, AX = Z·V (into q and z after the loop), residual ‖AX − XΘ‖_F²
      let sum = 0;
      let sq = 0;
      for (let j = 0; j < k; j++) {
        sum += theta[j];
        sq += theta[j] * theta[j];
      }
      combine(q, vecs, N, k, x);
      combine(z, vecs, N, k, q); // q now holds AX
      let r2 = 0;
      for (let j = 0; j < k; j++) {
        const t = theta[j];
        for (let i = 0; i < N; i++) {
          const d = q[j * N + i] - t * x[j * N + i];
          r2 += d * d;
        }
      }
      const tol = this.rtol * Math.abs(sum);
      // next iterate: orthonormalised AX (kept as the warm start when we stop here)
      orthonormalize(q, N, k);
      if (sum >= cap - tol) {
        return sum;
      }
      const tk = theta[k - 1];
      const alpha = samuelsonBound(s, N, k, sum, sq, tk);
      const delta = tk - alpha;
      const bound = !(delta > 0) ? NaN : k === 1 ? r2 / delta : (r2 / delta) * (1 + Math.max(0, lambda1Max - tk) / delta);
      const verdict = this.judge(track, it, sum, bound, tol);
      if (verdict === 'accept') {
        return sum;
      }
      if (verdict !== 'continue') {
        // far from any gap (α above θ_k by more than 10 %): the next bars, barely moved, will not have one either
        if (verdict === 'no-gap' && !((alpha - tk) / Math.abs(tk) <= 0.1)) this.skipTop = NO_GAP_SKIP;
        return this.fallback(m, k, verdict);
      }
    }
    return this.fallback(m, k, 'max-iterations');
  }

  /** Market-mode share λ_1/N of a correlation matrix, as `largestEigenShare` in eigen.ts, with `largest`. */
  largestEigenShare(corr: Float64Array): number {
    return this.largest(corr) / this.order;
  }

  /**
   * One iteration's verdict from its value (θ or Σθ), its certified error bound (NaN when there is no gap to
   * certify with) and the tolerance. Stops early, to fall back sooner, when there is no gap and the value has
   * settled (changed by <= 1e-3 relative in the last iteration), or when the bound shrinks too slowly to reach the
   * tolerance within maxIterations (judged from its last ratio).
   */
  private judge(t: Track, it: number, value: number, bound: number, tol: number): 'accept' | 'continue' | FallbackReason {
    const settled = Math.abs(value - t.value) <= 1e-3 * Math.abs(value);
    t.value = value;
    if (Number.isNaN(bound)) {
      t.bound = NaN;
      return it >= 1 && settled ? 'no-gap' : 'continue';
    }
    if (bound <= tol) return 'accept';
    const rate = bound / t.bound;
    t.bound = bound;
    if (it >= 2 && rate < 1 && it + 1 + Math.log(tol / bound) / Math.log(rate) > this.maxIterations) return 'slow';
    return 'continue';
  }

  private fallback(m: Float64Array, k: number, reason: FallbackReason): number {
    this.fallbacks++;
    this.fallbackReasons[reason]++;
    const ev = symmetricEigenvalues(m, this.order);
    let sum = 0;
    for (let i = 0; i < k; i++) sum += ev[i];
    return sum;
  }
}

/**
 * After a topSum() call finds no gap, by a wide margin, this many following calls (same k) skip the iteration and go
 * straight to the full decomposition: the absorption ratio's k = round(N/5) eigenvalues of a one-factor market sit in
 * the noise bulk bar after bar, and probing every bar would add one O(N²k) Rayleigh–Ritz step to each fallback.
 */
const NO_GAP_SKIP = 15;

interface Track {
  value: number;
  bound: number;
}

interface Sums {
  trace: number;
  /** ‖A‖_F² = Σ λ² */
  fro2: number;
  /** Σ (λ − t/N)² = Σ_i (a_ii − t/N)² + Σ_{i≠j} a_ij², summed without cancellation */
  spread2: number;
  /** max_i (a_ii + Σ_{j≠i} |a_ij|) >= λ_1 */
  gershgorin: number;
  /** Σ |a_ii| */
  absTrace: number;
  /** relative rounding slack of a recursive sum of N terms, 2(N + 2)ε (worst case) */
  slackN: number;
  /** the same for N² terms */
  slackN2: number;
}

function matrixSums(m: Float64Array, N: number): Sums {
  let trace = 0;
  let off2 = 0;
  let diag2 = 0;
  let gershgorin = -Infinity;
  let absTrace = 0;
  for (let i = 0; i < N; i++) {
    const o = i * N;
    let row = 0;
    for (let j = 0; j < N; j++) {
      const a = m[o + j];
      if (j !== i) off2 += a * a;
      row += Math.abs(a);
    }
    const d = m[o + i];
    trace += d;
    absTrace += Math.abs(d);
    diag2 += d * d;
    gershgorin = Math.max(gershgorin, d + row - Math.abs(d));
  }
  const mean = trace / N;
  let dev2 = 0;
  for (let i = 0; i < N; i++) dev2 += (m[i * N + i] - mean) * (m[i * N + i] - mean);
  const eps = Number.EPSILON;
  return { trace, fro2: diag2 + off2, spread2: dev2 + off2, gershgorin, absTrace, slackN: 2 * eps * (N + 2), slackN2: 2 * eps * (N * N + 2) };
}

/**
 * Upper bound on λ_{k+1} given lower bounds θ_1..θ_k of λ_1..λ_k (sum `sum`, sum of squares `sq`, smallest `tk`):
 * Samuelson's inequality on the remaining m = N − k eigenvalues; +Infinity when it does not apply (some θ_i below
 * their mean). Inflated against rounding (the sum of squares is a difference, hence the slack inside the root).
 */
function samuelsonBound(s: Sums, N: number, k: number, sum: number, sq: number, tk: number): number {
  const m = N - k;
  const T = s.trace - sum + s.slackN * (s.absTrace + Math.abs(sum));
  const mean = T / m;
  if (!(tk >= mean)) return Infinity;
  if (m === 1) return T;
  const v = Math.max(0, s.fro2 - sq - T * mean) + s.slackN2 * (s.fro2 + sq);
  return mean + Math.sqrt(((m - 1) / m) * v);
}

/** Upper bound on S_k from the trace and ‖A‖_F² alone (attained when the spectrum is k equal values above N−k equal). */
function capTopSum(s: Sums, N: number, k: number): number {
  const mean = s.trace / N;
  return k * mean + Math.sqrt(((k * (N - k)) / N) * s.spread2 * (1 + s.slackN2)) + (s.slackN * k * s.absTrace) / N;
}

/** w = A·v for row-major A. */
function matVec(m: Float64Array, N: number, v: Float64Array, w: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const o = i * N;
    let acc = 0;
    for (let j = 0; j < N; j++) acc += m[o + j] * v[j];
    w[i] = acc;
  }
}

function normalizeInto(w: Float64Array, v: Float64Array, ww: number): void {
  const inv = 1 / Math.sqrt(ww);
  for (let i = 0; i < w.length; i++) v[i] = w[i] * inv;
}

/** A deterministic start vector: all-ones (the market mode of a correlation matrix) plus a fixed perturbation. */
function startVector(N: number, c: number): Float64Array {
  let s = (0x9e3779b9 ^ (c * 0x85ebca6b)) >>> 0;
  const v = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (c === 0 ? 1 : 0) + (s / 4294967296 - 0.5);
  }
  return v;
}

/** out_j = Σ_a in_a · V[a, j]: the k vectors (vector-major, k×N) combined by the k×k matrix V. */
function combine(inp: Float64Array, V: Float64Array, N: number, k: number, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < k; j++) {
    const oj = j * N;
    for (let a = 0; a < k; a++) {
      const c = V[a * k + j];
      if (c === 0) continue;
      const oa = a * N;
      for (let i = 0; i < N; i++) out[oj + i] += c * inp[oa + i];
    }
  }
}

/**
 * Modified Gram–Schmidt, applied twice ("twice is enough": orthonormal to working precision), in place on k vectors
 * of length N (vector-major). A vector that vanishes is replaced by a fixed start vector and orthogonalised again.
 */
function orthonormalize(q: Float64Array, N: number, k: number): void {
  for (let j = 0; j < k; j++) {
    const oj = j * N;
    for (let attempt = 0; attempt < 3; attempt++) {
      let before = 0;
      for (let i = 0; i < N; i++) before += q[oj + i] * q[oj + i];
      for (let pass = 0; pass < 2; pass++) {
        for (let a = 0; a < j; a++) {
          const oa = a * N;
          let d = 0;
          for (let i = 0; i < N; i++) d += q[oa + i] * q[oj + i];
          for (let i = 0; i < N; i++) q[oj + i] -= d * q[oa + i];
        }
      }
      let nn = 0;
      for (let i = 0; i < N; i++) nn += q[oj + i] * q[oj + i];
      if (nn > 1e-20 * before && nn > 0) {
        const inv = 1 / Math.sqrt(nn);
        for (let i = 0; i < N; i++) q[oj + i] *= inv;
        break;
      }
      q.set(startVector(N, j + 1 + attempt * k), oj);
    }
  }
}

