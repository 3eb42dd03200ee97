import { DataError } from '../domain/errors.js';

/** Fewest returns a correlation is computed on (docs/methods.md "Data hygiene": refuse fewer than ~20 returns). */
export const MIN_RETURNS = 20;

/**
 * Throws DataError 'too_few_returns' when n < minReturns. Callers that deliberately work on short blocks pass a
 * smaller `minReturns`; below 2 returns no correlation is defined at all, so the floor is clamped to 2.
 */
export function requireReturns(n: number, minReturns: number = MIN_RETURNS): void {
  const need = Math.max(2, minReturns);
  if (n < need) throw new DataError('too_few_returns', `only ${n} returns; at least ${need} are needed for a correlation`);
}

/** Throws DataError 'non_finite_price' (with the series index) at the first non-finite value of x[start, end). */
export function requireFinite(x: ArrayLike<number>, series: number, start = 0, end: number = x.length): void {
  for (let t = start; t < end; t++) {
    if (!Number.isFinite(x[t])) throw new DataError('non_finite_price', `return #${t} of series ${series} is ${x[t]}`, series);
  }
}

/** True when every value of x[start, end) is identical: the series has zero variance, exactly (no tolerance). */
export function isConstant(x: ArrayLike<number>, start = 0, end: number = x.length): boolean {
  const first = x[start];
  for (let t = start + 1; t < end; t++) if (x[t] !== first) return false;
  return true;
}

/** DataError 'zero_variance' for series i. */
export function zeroVariance(i: number): DataError {
  return new DataError('zero_variance', `series ${i} has zero variance over the window; its correlation is undefined`, i);
}

/** Throws RangeError unless 0 <= start <= end <= len and both are integers (a caller bug, not bad data). */
export function checkRange(start: number, end: number, len: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > len || start > end) {
    throw new RangeError(`bad range [${start}, ${end}) for series of length ${len}`);
  }
}

/** Throws DataError 'length_mismatch' unless a flat N×N matrix has N² entries. */
export function checkSquare(m: ArrayLike<number>, N: number): void {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`matrix order must be a positive integer, got ${N}`);
  if (m.length !== N * N) throw new DataError('length_mismatch', `a ${N}×${N} matrix needs ${N * N} entries, got ${m.length}`);
}

/** Clamp to [-1, 1]. */
export function clampUnit(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/**
 * Correlations from co-moments: res_ij = res_ji = clamp(s_ij · inv_i · inv_j) over the upper triangle of `s`
 * (N×N row-major, only i <= j read), inv_i = 1/sqrt(s_ii) given; diagonal exactly 1. Returns res.
 */
export function correlationFromMoments(s: Float64Array, inv: Float64Array, N: number, res: Float64Array): Float64Array {
  for (let i = 0; i < N; i++) {
    const o = i * N;
    const si = inv[i];
    res[o + i] = 1;
    for (let j = i + 1; j < N; j++) {
      const r = clampUnit(s[o + j] * si * inv[j]);
      res[o + j] = r;
      res[j * N + i] = r;
    }
  }
  return res;
}

/** An N×N output buffer: `out` when it has the right size (no allocation), a new one when absent. */
export function matrixOutput(N: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(N * N);
  if (out.length !== N * N) throw new DataError('length_mismatch', `output needs ${N * N} entries, got ${out.length}`);
  return out;
}
