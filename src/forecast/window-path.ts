/**
 * The forecast of a rolling-window average correlation (docs/methods.md, "Forecasts").
 *
 * What users see (`matrix`, `regime`, alerts) is ρ̄ over the last W returns. At horizon k < W that window still holds
 * W − k returns already observed; only k are new. So the forecast of ρ̄_{t+k} blends the two parts, weighted by how
 * many returns each contributes:
 *
 *   ρ̂_{t+k} = ((W − k)·ρ̄(last W − k returns) + k·mean_{j=1..k} ρ̄(R_{t+j|t})) / W,
 *
 * where R_{t+j|t} is a model's forecast of the conditional correlation j bars ahead (DCC, or flat EWMA). For k ≥ W
 * the window is all new: the mean of the model's ρ̄ over its last W steps. Blending correlations linearly treats the
 * two parts as having equal variances (a window's correlation is the pooled co-moment over pooled variances); it is an
 * approximation, and its error is measured, with everything else, by `backtest --forecast-eval`.
 * Persistence (ρ̂_{t+k} = ρ̄_t) is the naive forecast it is scored against. Pure functions.
 */
import { averageCorrelation, correlationMatrix } from '../stats/index.js';
import { DataError } from '../domain/errors.js';

/** Fewest returns the observed part needs to enter the blend (below it the part is left out). */
export const MIN_KNOWN_RETURNS = 5;

/** ρ̄ of the last `count` returns of each series (ending at `end`, exclusive); NaN when the part is too short or flat. */
export function tailAverageCorrelation(returns: Float64Array[], end: number, count: number): number {
  if (count < MIN_KNOWN_RETURNS || end - count < 0) return NaN;
  try {
    return averageCorrelation(correlationMatrix(returns, end - count, end, { minReturns: MIN_KNOWN_RETURNS }).corr, returns.length);
  } catch (e) {
    if (e instanceof DataError) return NaN;
    throw e;
  }
}

/**
 * ρ̂_{t+k} for k = 1..modelPath.length. `modelPath[j−1]` is the model's ρ̄(R_{t+j|t}); `known(k)` is ρ̄ of the last
 * W − k observed returns (NaN when too short: the model's part then fills the window).
 */
export function windowPath(modelPath: ArrayLike<number>, window: number, known: (k: number) => number): Float64Array {
  const H = modelPath.length;
  const out = new Float64Array(H);
  // prefix[j] = Σ_{i<j} modelPath[i], for the mean over any span of model steps
  const prefix = new Float64Array(H + 1);
  for (let j = 0; j < H; j++) prefix[j + 1] = prefix[j] + modelPath[j];
  for (let k = 1; k <= H; k++) {
    const fromStep = Math.max(1, k - window + 1);
    const newCount = k - fromStep + 1;
    const newMean = (prefix[k] - prefix[fromStep - 1]) / newCount;
    const old = window - k;
    const knownRho = old > 0 ? known(k) : NaN;
    out[k - 1] = Number.isFinite(knownRho) ? (old * knownRho + newCount * newMean) / (old + newCount) : newMean;
  }
  return out;
}
