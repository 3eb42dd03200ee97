import { DataError } from '../domain/errors.js';
import { dot } from './dot.js';
import { correlationFromMoments, matrixOutput, MIN_RETURNS, requireReturns, zeroVariance } from './guards.js';

export interface RollingOptions {
  /** Exact two-pass recompute from the ring buffer every this many pushes (default: the window W; Infinity = never). */
  recomputeEvery?: number;
  /** Fewest returns `correlation()`/`covariance()` accept (default MIN_RETURNS = 20). */
  minReturns?: number;
  /**
   * Recompute early when, for some series i, Σ(|update terms|²) since the last exact recompute exceeds
   * driftLimit × its current co-moment S_ii (default 1e4; Infinity = never). The rounding error of the running
   * co-moments is about eps × that sum, so this bounds the relative error of ρ near 1e-12 even when a volatile
   * stretch leaves the window and the remaining variance is orders of magnitude smaller (catastrophic cancellation).
   */
  driftLimit?: number;
}

function checkCount(name: string, v: number, min: number): void {
  if (!(v >= min) || !(Number.isInteger(v) || v === Infinity)) throw new RangeError(`${name} must be an integer >= ${min} (or Infinity), got ${v}`);
}

/**
 * Rolling sample correlation/covariance of N return series over the last W rows, updated in O(N²) per row.
 *
 * State: a ring buffer of the last W raw rows, the window mean m and the co-moments S = Σ_t (x_t − m)(x_t − m)ᵀ
 * (upper triangle). Updates (Welford 1962; Chan, Golub & LeVeque 1983; docs/methods.md "Speed"):
 * - filling (n → n+1, adding x):   m' = m + (x − m)/(n+1),  S' = S + (x − m)(x − m')ᵀ
 * - sliding (n fixed, x in, y out): m' = m + (x − y)/n,      S' = S + (x − m)(x − m')ᵀ − (y − m)(y − m')ᵀ
 * Both keep S = Σ x xᵀ − n m mᵀ exactly for the stored m, so an error δ in m biases S only by about n(μδᵀ + δμᵀ),
 * μ the window mean of the values as used. Values are therefore shifted by K (the window mean at the last exact
 * recompute; the first row before that), which keeps μ and δ small: a large level (returns near 1e4) costs no
 * precision. Every `recomputeEvery` pushes, and whenever the drift bound of `driftLimit` trips, S and m are
 * recomputed exactly (corrected two-pass) from the ring buffer.
 *
 * Zero variance is detected exactly, not by a tolerance: a per-series run length of identical values says when
 * a series is constant over the whole window (a stablecoin, a halted market).
 */
export class RollingCorrelation {
  /** Number of series N. */
  readonly assets: number;
  /** Window length W (returns). */
  readonly window: number;
  private readonly recomputeEvery: number;
  private readonly minReturns: number;
  private readonly driftLimit: number;
  private readonly ring: Float64Array; // W rows of N raw values
  private readonly shift: Float64Array; // K
  private readonly mean: Float64Array; // window mean of (x − K)
  private readonly co: Float64Array; // co-moments of (x − K), upper triangle, row-major N×N
  private readonly mass: Float64Array; // Σ of squared update terms per series since the last recompute
  private readonly run: Float64Array; // trailing count of identical values per series
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly c: Float64Array;
  private readonly e: Float64Array;
  private readonly sd: Float64Array;
  private readonly centred: Float64Array; // scratch for recompute, series-major N×W
  private head = 0;
  private n = 0;
  private sinceRecompute = 0;
  private recomputes = 0;

  /**
   * @param assets N, the number of series (>= 1).
   * @param window W, the number of returns in the window (>= 2).
   */
  constructor(assets: number, window: number, opts: RollingOptions = {}) {
    if (!Number.isInteger(assets) || assets < 1) throw new RangeError(`assets must be a positive integer, got ${assets}`);
    if (!Number.isInteger(window) || window < 2) throw new RangeError(`window must be an integer >= 2, got ${window}`);
    const recomputeEvery = opts.recomputeEvery ?? window;
    checkCount('recomputeEvery', recomputeEvery, 1);
    const driftLimit = opts.driftLimit ?? 1e4;
    if (!(driftLimit > 1)) throw new RangeError(`driftLimit must be > 1, got ${driftLimit}`);
    this.assets = assets;
    this.window = window;
    this.recomputeEvery = recomputeEvery;
    this.minReturns = opts.minReturns ?? MIN_RETURNS;
    this.driftLimit = driftLimit;
    const N = assets;
    this.ring = new Float64Array(window * N);
    this.shift = new Float64Array(N);
    this.mean = new Float64Array(N);
    this.co = new Float64Array(N * N);
    this.mass = new Float64Array(N);
    this.run = new Float64Array(N);
    this.a = new Float64Array(N);
    this.b = new Float64Array(N);
    this.c = new Float64Array(N);
    this.e = new Float64Array(N);
    this.sd = new Float64Array(N);
    this.centred = new Float64Array(window * N);
  }

  /** Returns currently in the window (<= W). */
  get count(): number {
    return this.n;
  }

  /** True once W returns have been pushed. */
  get isFull(): boolean {
    return this.n === this.window;
  }

  /** How many exact two-pass recomputes have run (periodic plus drift-triggered); for diagnostics and benchmarks. */
  get exactRecomputes(): number {
    return this.recomputes;
  }

  /**
   * Add the newest row of N returns; when the window is full the oldest row leaves. O(N²).
   * Validates the whole row first, so a bad row leaves the state untouched.
   *
   * @throws DataError 'length_mismatch' (row.length ≠ N), 'non_finite_price' (series index of a non-finite value).
   */
  push(row: ArrayLike<number>): void {
    const N = this.assets;
    if (row.length !== N) throw new DataError('length_mismatch', `row has ${row.length} values, expected ${N}`);
    for (let i = 0; i < N; i++) {
      if (!Number.isFinite(row[i])) throw new DataError('non_finite_price', `return of series ${i} is ${row[i]}`, i);
    }
    const W = this.window;
    const { ring, shift, mean, co, mass, run, a, b, c, e } = this;
    const n = this.n;
    const slot = this.head;
    const prev = ((slot + W - 1) % W) * N;
    if (n === 0) {
      for (let i = 0; i < N; i++) {
        shift[i] = row[i];
        mean[i] = 0;
        mass[i] = 0;
      }
      co.fill(0);
    }
    if (n < W) {
      const inv = 1 / (n + 1);
      for (let i = 0; i < N; i++) {
        const xt = row[i] - shift[i];
        const ai = xt - mean[i];
        const m1 = mean[i] + ai * inv;
        a[i] = ai;
        b[i] = xt - m1;
        mean[i] = m1;
        mass[i] += ai * ai;
      }
      for (let i = 0; i < N; i++) {
        const ai = a[i];
        const o = i * N;
        for (let j = i; j < N; j++) co[o + j] += ai * b[j];
      }
    } else {
      const inv = 1 / n;
      const out = slot * N;
      for (let i = 0; i < N; i++) {
        const xt = row[i] - shift[i];
        const yt = ring[out + i] - shift[i];
        const m0 = mean[i];
        const m1 = m0 + (xt - yt) * inv;
        const ai = xt - m0;
        const ci = yt - m0;
        a[i] = ai;
        c[i] = ci;
        b[i] = xt - m1;
        e[i] = yt - m1;
        mean[i] = m1;
        mass[i] += ai * ai + ci * ci;
      }
      for (let i = 0; i < N; i++) {
        const ai = a[i];
        const ci = c[i];
        const o = i * N;
        for (let j = i; j < N; j++) co[o + j] += ai * b[j] - ci * e[j];
      }
    }
    const into = slot * N;
    for (let i = 0; i < N; i++) {
      run[i] = n > 0 && row[i] === ring[prev + i] ? run[i] + 1 : 1;
      ring[into + i] = row[i];
    }
    this.head = slot + 1 === W ? 0 : slot + 1;
    this.n = n < W ? n + 1 : W;
    if (++this.sinceRecompute >= this.recomputeEvery || this.drifted()) this.recompute();
  }

  private drifted(): boolean {
    const N = this.assets;
    for (let i = 0; i < N; i++) {
      if (this.run[i] < this.n && this.mass[i] > this.driftLimit * this.co[i * N + i]) return true;
    }
    return false;
  }

  /** Exact (corrected) two-pass mean and co-moments from the ring buffer; re-centres the shift K on the window mean. */
  private recompute(): void {
    const N = this.assets;
    const W = this.window;
    const n = this.n;
    const { ring, shift, mean, co, mass, run, centred } = this;
    const last = ((this.head + W - 1) % W) * N;
    for (let i = 0; i < N; i++) {
      let k: number;
      if (run[i] >= n) {
        k = ring[last + i]; // constant over the window: centre on the value itself, deviations exactly 0
      } else {
        k = 0;
        for (let t = 0; t < n; t++) k += ring[t * N + i];
        k /= n;
      }
      // K is only a rounded mean (its error grows with the level of the data); the exact remainder of the mean
      // goes in m, computed on the small shifted values, or the error of K would bias every later update.
      let m = 0;
      for (let t = 0; t < n; t++) m += ring[t * N + i] - k;
      m /= n;
      shift[i] = k;
      mean[i] = m;
      mass[i] = 0;
      const o = i * W;
      for (let t = 0; t < n; t++) centred[o + t] = ring[t * N + i] - k - m;
    }
    for (let i = 0; i < N; i++) {
      const oi = i * W;
      for (let j = i; j < N; j++) co[i * N + j] = dot(centred, oi, j * W, n);
    }
    this.sinceRecompute = 0;
    this.recomputes++;
  }

  private output(out: Float64Array | undefined): Float64Array {
    requireReturns(this.n, this.minReturns);
    return matrixOutput(this.assets, out);
  }

  /**
   * Sample correlation matrix of the window, N×N row-major: ρ_ij = S_ij / (sqrt(S_ii)·sqrt(S_jj)), clamped to
   * [-1, 1], diagonal exactly 1 (docs/methods.md §1). Writes into `out` when given (no allocation). O(N²).
   *
   * @throws DataError 'too_few_returns' (count < minReturns), 'zero_variance' (index of a series that is constant
   *   over the window).
   */
  correlation(out?: Float64Array): Float64Array {
    const res = this.output(out);
    const N = this.assets;
    const { co, sd, run } = this;
    for (let i = 0; i < N; i++) {
      const s = co[i * N + i];
      if (run[i] >= this.n || !(s > 0)) throw zeroVariance(i);
      sd[i] = 1 / Math.sqrt(s);
    }
    return correlationFromMoments(co, sd, N, res);
  }

  /**
   * Sample covariance matrix of the window, S / (n − 1), N×N row-major. A series constant over the window has
   * an exactly zero row and column (its covariance is 0, not undefined). Writes into `out` when given.
   *
   * @throws DataError 'too_few_returns' (count < minReturns).
   */
  covariance(out?: Float64Array): Float64Array {
    const res = this.output(out);
    const N = this.assets;
    const inv = 1 / (this.n - 1);
    const { co, run } = this;
    for (let i = 0; i < N; i++) {
      const flatI = run[i] >= this.n;
      for (let j = i; j < N; j++) {
        const v = flatI || run[j] >= this.n ? 0 : co[i * N + j] * inv;
        res[i * N + j] = v;
        res[j * N + i] = v;
      }
    }
    return res;
  }
}
