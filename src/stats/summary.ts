import { checkSquare } from './guards.js';

/** Correlations are clamped to ±(1 − 1e-12) before atanh, so a pair at |ρ| = 1 gives a large finite z (≈ ±14.2). */
export const ATANH_CLAMP = 1 - 1e-12;

/** Fisher's z of a correlation, atanh(r), with r clamped to ±ATANH_CLAMP (finite at |r| = 1). */
export function clampedAtanh(r: number): number {
  return Math.atanh(r > ATANH_CLAMP ? ATANH_CLAMP : r < -ATANH_CLAMP ? -ATANH_CLAMP : r);
}

function checkPairs(corr: Float64Array, N: number): void {
  checkSquare(corr, N);
  if (N < 2) throw new RangeError('pair statistics need at least 2 series');
}

/**
 * Average pairwise correlation ρ̄ = (1/M) Σ_{i<j} ρ_ij, M = N(N−1)/2, over the upper triangle of a symmetric
 * N×N row-major matrix (docs/methods.md §2).
 */
export function averageCorrelation(corr: Float64Array, N: number): number {
  checkPairs(corr, N);
  let s = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) s += corr[i * N + j];
  return s / ((N * (N - 1)) / 2);
}

/**
 * Dispersion of pairwise correlations: the sample standard deviation (ddof = 1) of z_ij = atanh(ρ_ij) over the
 * M = N(N−1)/2 pairs, ρ clamped to ±(1 − 1e-12) first (docs/methods.md §2; Fisher's z makes the spread comparable
 * across levels of ρ). Two-pass: z̄ then Σ(z − z̄)²/(M − 1).
 * With a single pair (N = 2) the sample std is undefined (0/0); it returns 0, the only spread one value can
 * show, so a two-asset basket never produces NaN and never looks "dispersed".
 */
export function correlationDispersion(corr: Float64Array, N: number): number {
  checkPairs(corr, N);
  const M = (N * (N - 1)) / 2;
  if (M === 1) return 0;
  let s = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) s += clampedAtanh(corr[i * N + j]);
  const mean = s / M;
  let ss = 0;
  for (let i = 0; i < N; i++) {
    for (let j = i + 1; j < N; j++) {
      const d = clampedAtanh(corr[i * N + j]) - mean;
      ss += d * d;
    }
  }
  return Math.sqrt(ss / (M - 1));
}

/** One pair of a correlation matrix: series indices i < j and their correlation. */
export interface Pair {
  i: number;
  j: number;
  rho: number;
}

/**
 * All M = N(N−1)/2 pairs (i < j, from the upper triangle) sorted by ρ descending, ties by (i, j) ascending, so the
 * order is deterministic. For display ("most / least correlated pairs"); allocates one object per pair.
 */
export function pairList(corr: Float64Array, N: number): Pair[] {
  checkPairs(corr, N);
  const out: Pair[] = [];
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) out.push({ i, j, rho: corr[i * N + j] });
  out.sort((p, q) => q.rho - p.rho || p.i - q.i || p.j - q.j);
  return out;
}

/**
 * The k most correlated pairs (highest ρ first) or, with order 'least', the k least correlated (lowest ρ first).
 * Same ordering rules as `pairList`; k larger than M returns all pairs.
 */
export function topPairs(corr: Float64Array, N: number, k: number, order: 'most' | 'least' = 'most'): Pair[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
  const all = pairList(corr, N);
  if (order === 'most') return all.slice(0, k);
  all.sort((p, q) => p.rho - q.rho || p.i - q.i || p.j - q.j);
  return all.slice(0, k);
}
