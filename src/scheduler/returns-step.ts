import { DataError } from '../domain/errors.js';

/** ln(curr/prev) for one step, with the same guard as the batch logReturns (positive, finite prices). */
export function logReturnAt(prev: number, curr: number): number {
  if (!(prev > 0) || !(curr > 0) || !Number.isFinite(prev) || !Number.isFinite(curr)) {
    throw new DataError('non_finite_price', `price ${curr} after ${prev} is not a positive finite number`);
  }
  return Math.log(curr / prev);
}
