import { DataError } from '../domain/errors.js';

/**
 * Log returns of a close series: r_t = ln(P_t / P_{t-1}), t = 1..n-1, so the result has length n-1
 * (empty for fewer than two closes). Source: docs/methods.md "Notation".
 *
 * Computed as Math.log(P_t / P_{t-1}) (one rounding in the ratio, then a correctly rounded-ish log), the same
 * expression as the streaming `logReturnAt` in src/scheduler/returns-step.ts so batch and live paths agree bit for bit.
 *
 * @param series index of this series in its basket, attached to the error so callers can name the symbol.
 * @throws DataError 'non_finite_price' when a close is NaN, ±Infinity, zero or negative.
 */
export function logReturns(closes: Float64Array, series?: number): Float64Array {
  const n = closes.length;
  for (let t = 0; t < n; t++) {
    const p = closes[t];
    if (!(p > 0) || !Number.isFinite(p)) {
      throw new DataError('non_finite_price', `close #${t} is ${p}: prices must be positive finite numbers`, series);
    }
  }
  const out = new Float64Array(Math.max(0, n - 1));
  for (let t = 1; t < n; t++) out[t - 1] = Math.log(closes[t] / closes[t - 1]);
  return out;
}
