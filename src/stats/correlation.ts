import { DataError } from '../domain/errors.js';
import { dot } from './dot.js';
import { checkRange, clampUnit, isConstant, requireFinite, requireReturns, zeroVariance } from './guards.js';

/** Correlation matrix, covariance matrix (both N×N row-major) and the number of returns they were computed on. */
export interface CorrelationResult {
  corr: Float64Array;
  cov: Float64Array;
  n: number;
}

export interface CorrelationOptions {
  /**
   * Fewest returns accepted (default MIN_RETURNS = 20, docs/methods.md "Data hygiene"). Lower it only where short
   * samples are intended and understood, e.g. disjoint blocks fed to a regime model.
   */
  minReturns?: number;
}

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>, opts?: CorrelationOptions): void {
  if (x.length !== y.length) throw new DataError('length_mismatch', `series of ${x.length} and ${y.length} returns`);
  requireFinite(x, 0);
  requireFinite(y, 1);
  requireReturns(x.length, opts?.minReturns);
  if (isConstant(x)) throw zeroVariance(0);
  if (isConstant(y)) throw zeroVariance(1);
}

function pearsonUnchecked(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let t = 0; t < n; t++) {
    mx += x[t];
    my += y[t];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < n; t++) {
    const dx = x[t] - mx;
    const dy = y[t] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0)) throw zeroVariance(0); // only on underflow: constant series were rejected before
  if (!(syy > 0)) throw zeroVariance(1);
  return clampUnit(sxy / (Math.sqrt(sxx) * Math.sqrt(syy)));
}

/**
 * Pearson sample correlation, exact two-pass: r = Σ(x−x̄)(y−ȳ) / sqrt(Σ(x−x̄)² · Σ(y−ȳ)²), clamped to [-1, 1].
 * Source: docs/methods.md §1; any statistics text (e.g. Wasserman, All of Statistics, §3.3).
 *
 * @throws DataError 'length_mismatch', 'non_finite_price' (series 0 = x, 1 = y), 'too_few_returns'
 *   (n < minReturns), 'zero_variance' (series 0 or 1).
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>, opts?: CorrelationOptions): number {
  checkPair(x, y, opts);
  return pearsonUnchecked(x, y);
}

/**
 * Ranks 1..n of x[start, end) with ties given the average of the ranks they span (the "fractional ranking"
 * used by Spearman's rho; scipy.stats.rankdata method='average'). O(n log n).
 */
export function averageRanks(x: ArrayLike<number>, start = 0, end: number = x.length): Float64Array {
  checkRange(start, end, x.length);
  const n = end - start;
  const idx = new Uint32Array(n);
  for (let k = 0; k < n; k++) idx[k] = k;
  idx.sort((a, b) => x[start + a] - x[start + b]);
  const ranks = new Float64Array(n);
  let k = 0;
  while (k < n) {
    let e = k + 1;
    while (e < n && x[start + idx[e]] === x[start + idx[k]]) e++;
    const r = (k + e + 1) / 2; // mean of the 1-based ranks k+1..e
    for (let q = k; q < e; q++) ranks[idx[q]] = r;
    k = e;
  }
  return ranks;
}

/**
 * Spearman rank correlation: Pearson correlation of the average ranks (ties averaged), clamped to [-1, 1].
 * Source: Spearman (1904); docs/methods.md §1; matches scipy.stats.spearmanr.
 *
 * @throws the same DataErrors as `pearson`.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>, opts?: CorrelationOptions): number {
  checkPair(x, y, opts);
  return pearsonUnchecked(averageRanks(x), averageRanks(y));
}

/** Shared input checks of the matrix functions: at least one series, equal lengths, a valid range, finite values. */
function checkSeries(what: string, series: readonly ArrayLike<number>[], start: number, end: number): number {
  const N = series.length;
  if (N < 1) throw new RangeError(`${what} needs at least one series`);
  const len = series[0].length;
  for (let i = 1; i < N; i++) {
    if (series[i].length !== len) throw new DataError('length_mismatch', `series 0 has ${len} returns, series ${i} has ${series[i].length}`, i);
  }
  checkRange(start, end, len);
  for (let i = 0; i < N; i++) requireFinite(series[i], i, start, end);
  return N;
}

/**
 * Sample correlation and covariance matrices of the returns series[i][start..end), exact two-pass:
 * x̄_i = Σ_t x_it / n, cov_ij = Σ_t (x_it − x̄_i)(x_jt − x̄_j) / (n − 1), ρ_ij = S_ij / (sqrt(S_ii)·sqrt(S_jj)) with
 * S the centred co-moments. ρ is clamped to [-1, 1] and its diagonal is exactly 1. Source: docs/methods.md §1; the
 * two-pass algorithm as in Chan, Golub & LeVeque, "Algorithms for computing the sample variance" (1983).
 *
 * @throws DataError 'length_mismatch' (series of different lengths), 'non_finite_price' (series index),
 *   'too_few_returns' (end − start < minReturns), 'zero_variance' (series index of the first constant series).
 */
export function correlationMatrix(
  series: readonly ArrayLike<number>[],
  start = 0,
  end: number = series.length ? series[0].length : 0,
  opts?: CorrelationOptions,
): CorrelationResult {
  const N = checkSeries('correlationMatrix', series, start, end);
  const n = end - start;
  requireReturns(n, opts?.minReturns);
  for (let i = 0; i < N; i++) if (isConstant(series[i], start, end)) throw zeroVariance(i);

  // Centred copies, series-major, so each co-moment is a contiguous dot product.
  const d = new Float64Array(N * n);
  for (let i = 0; i < N; i++) {
    const x = series[i];
    let m = 0;
    for (let t = start; t < end; t++) m += x[t];
    m /= n;
    const o = i * n;
    for (let t = 0; t < n; t++) d[o + t] = x[start + t] - m;
  }
  return fromCentred(d, N, n);
}

/** Co-moments of centred series-major data d (N series of n values), then cov and corr. */
function fromCentred(d: Float64Array, N: number, n: number): CorrelationResult {
  const cov = new Float64Array(N * N);
  const corr = new Float64Array(N * N);
  const sd = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const oi = i * n;
    for (let j = i; j < N; j++) cov[i * N + j] = dot(d, oi, j * n, n); // co-moment for now
    const sii = cov[i * N + i];
    if (!(sii > 0)) throw zeroVariance(i); // only on underflow: constant series were rejected before
    sd[i] = Math.sqrt(sii);
  }
  const inv = 1 / (n - 1);
  for (let i = 0; i < N; i++) {
    corr[i * N + i] = 1;
    for (let j = i + 1; j < N; j++) {
      const s = cov[i * N + j];
      const r = clampUnit(s / (sd[i] * sd[j]));
      corr[i * N + j] = r;
      corr[j * N + i] = r;
      cov[i * N + j] = s * inv;
      cov[j * N + i] = s * inv;
    }
    cov[i * N + i] *= inv;
  }
  return { corr, cov, n };
}

/**
 * Spearman correlation matrix: `correlationMatrix` of each series' average ranks over [start, end) (ties averaged).
 * `cov` is the covariance of the ranks. Source: Spearman (1904); docs/methods.md §1.
 *
 * @throws the same DataErrors as `correlationMatrix`.
 */
export function spearmanMatrix(
  series: readonly ArrayLike<number>[],
  start = 0,
  end: number = series.length ? series[0].length : 0,
  opts?: CorrelationOptions,
): CorrelationResult {
  checkSeries('spearmanMatrix', series, start, end);
  const ranks = series.map((x) => averageRanks(x, start, end));
  return correlationMatrix(ranks, 0, end - start, opts);
}
