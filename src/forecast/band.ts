/**
 * The uncertainty band around a window-average forecast (docs/methods.md, "Forecasts").
 *
 * The Kalman local-level filter (src/forecast/kalman.ts) assumes observation errors independent from one step to the
 * next, which overlapping rolling windows violate (their shared returns make the series wander, and the filter reads
 * that as movement of the level). So it observes z_b = atanh(ρ̄) over non-overlapping blocks of B returns, with the
 * observation variance of a B-return average (fisherZAverageVariance), and its state noise q is per block.
 *
 * The forecast target is the window average W returns long at t+k. With f = min(1, k/W) of that window new, it is
 * (1 − f)·(known part) + f·(mean of the new returns), so on the z scale, treating the known part as exact:
 *
 *   Var = f²·(R_new + P + (k/B)·q),  R_new = R_W / f  (a window of fW returns),  so  Var = f·R_W + f²·(P + (k/B)·q),
 *
 * where P is the filtered variance of the level and R_W the observation variance of a full window. For k ≥ W this is
 * the usual predictive variance P + (k/B)·q + R_W. Pure functions.
 */

/** Returns per block the filter observes: a quarter window, at least 20 (a correlation needs some returns). */
export function bandBlockLength(window: number): number {
  return Math.max(20, Math.round(window / 4));
}

/** Variance of atanh(window ρ̄) at k bars ahead around its forecast (the formula above). */
export function windowForecastVariance(k: number, window: number, block: number, levelVariance: number, q: number, rWindow: number): number {
  const f = Math.min(1, k / window);
  return f * rWindow + f * f * (levelVariance + (k / block) * q);
}
