/**
 * A basket's correlation forecast (docs/methods.md, "Forecasts"): where its window average ρ̄ and every pair's ρ are heading,
 * with an interval, and the regime odds. Pure: returns in, numbers out.
 *
 * - The correlation model is DCC(1,1) (Engle 2002; src/forecast/dcc.ts), fitted on the newest `fitBars` returns, or
 *   EWMA (RiskMetrics) when the fit fails or is degenerate, with the reason.
 * - The path of the window average blends the returns the future window still holds with the model's forecast
 *   for the new ones (src/forecast/window-path.ts).
 * - The uncertainty comes from a Kalman local-level filter on z = atanh(ρ̄) of non-overlapping blocks
 *   (src/forecast/kalman.ts, band.ts) with observation variance from the effective sample size and the state noise q
 *   fitted by maximum likelihood: the smoothed ρ̄ now with its band, and around the forecast path the variance of
 *   band.ts's windowForecastVariance.
 *   Intervals are computed on the z scale and mapped back with tanh, so they stay inside (−1, 1).
 * - The regime odds come from the detector's Markov-switching model (src/forecast/regime-outlook.ts).
 */
import { DataError } from '../domain/errors.js';
import { RollingCorrelation } from '../stats/rolling.js';
import { averageCorrelation, clampedAtanh, correlationMatrix } from '../stats/index.js';
import { normalQuantile } from '../stats/special.js';
import { fitCorrelationForecaster, type CorrelationModel } from './dcc.js';
import { fisherZAverageVariance, fitLocalLevelQ, localLevelFilter, localLevelSmoother } from './kalman.js';
import { bandBlockLength, windowForecastVariance } from './band.js';
import { regimeOutlook, type RegimeModelState, type RegimeOutlook } from './regime-outlook.js';
import { tailAverageCorrelation, windowPath } from './window-path.js';

export interface ForecastInput {
  symbols: string[];
  /** End time of each return (ms), ascending. */
  times: Float64Array;
  /** One series of log returns per symbol, aligned with `times`. */
  returns: Float64Array[];
  /** Returns in the window whose average ρ̄ is forecast (the basket's window). */
  window: number;
  /** Bars ahead. */
  horizon: number;
  /** Bar length (ms), for the times of the path. */
  barMs: number;
  /** The detector's Markov-switching model now, when it has been fitted. */
  regime: RegimeModelState | null;
  /** Bars of ρ̄ history for the Kalman filter and the chart (default 4·window, at least 100). */
  historyBars?: number;
  /** Newest returns the correlation model is fitted on (default 2,000). */
  fitBars?: number;
  /** Interval coverage (default 0.9). */
  coverage?: number;
}

export interface PathPoint {
  at: number;
  mean: number;
  lo: number;
  hi: number;
}

export interface HistoryPoint {
  at: number;
  value: number;
  smoothed: number;
  lo: number;
  hi: number;
}

export interface BasketForecast {
  symbols: string[];
  horizonBars: number;
  coverage: number;
  model: CorrelationModel;
  avgCorrelation: {
    now: number;
    smoothed: number;
    band: [number, number];
    path: PathPoint[];
    history: HistoryPoint[];
  };
  pairs: { a: string; b: string; now: number; forecast: number }[];
  regime: RegimeOutlook | null;
  /** The Kalman filter on blocks of `blockLength` returns: state noise q (fitted, per block) and the last block's r. */
  kalman: { q: number; r: number; blockLength: number; kappa: number };
  notes: string[];
}

/** Fewest returns a forecast needs: a window and 100 more for the models, and 10 blocks for the Kalman filter. */
export function minForecastReturns(window: number): number {
  return Math.max(window + 100, 10 * bandBlockLength(window));
}

export function forecastBasket(input: ForecastInput): BasketForecast {
  const { returns, window: W, horizon: H, times } = input;
  const n = returns.length;
  const T = times.length;
  const coverage = input.coverage ?? 0.9;
  if (n < 2) throw new DataError('too_few_returns', 'a correlation forecast needs at least two symbols');
  if (T < minForecastReturns(W)) {
    throw new DataError('too_few_returns', `a forecast over a window of ${W} returns needs at least ${minForecastReturns(W)} returns of history; only ${T} are available`);
  }
  const notes: string[] = [];

  // The Kalman filter on non-overlapping blocks of B returns, the last one ending at the newest bar (src/forecast/band.ts).
  const B = bandBlockLength(W);
  // Heavy tails widen the sampling error of a correlation: the elliptical kurtosis κ within blocks.
  const kappa = ellipticalKappa(returns, B);
  const blocks = Math.floor(T / B);
  const z = new Float64Array(blocks);
  const r = new Float64Array(blocks);
  const blockEnd = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const end = T - (blocks - 1 - b) * B;
    const rb = tailAverageCorrelation(returns, end, B);
    // A flat block (no correlation defined) is observed with no information: its neighbour's value, a huge variance.
    z[b] = Number.isFinite(rb) ? clampedAtanh(rb) : b > 0 ? z[b - 1] : 0;
    r[b] = Number.isFinite(rb) ? fisherZAverageVariance(B, n, rb, kappa) : 1e6;
    blockEnd[b] = times[end - 1];
  }
  const q = fitLocalLevelQ(z, r);
  const kf = localLevelFilter(z, r, q);
  // The chart's history is the smoothed level (two-sided: it is history); its last point is the filter's.
  const sm = localLevelSmoother(z, r, q);
  const P = kf.variance[blocks - 1];
  const level = kf.level[blocks - 1];
  const zCrit = normalQuantile(0.5 + coverage / 2);

  // ρ̄ over the window at each of the last S bars (the chart's history), with the smoothed level between block ends.
  const S = Math.min(T - W + 1, Math.max(100, input.historyBars ?? 4 * W));
  const roll = new RollingCorrelation(n, W);
  const row = new Float64Array(n);
  const history: HistoryPoint[] = [];
  let b = 0;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < n; i++) row[i] = returns[i][t];
    roll.push(row);
    if (t < T - S) continue;
    while (b < blocks - 1 && blockEnd[b + 1] <= times[t]) b++;
    // between block b's end and the next one's, the level is interpolated (display only)
    const next = Math.min(b + 1, blocks - 1);
    const span = blockEnd[next] - blockEnd[b];
    const w = span > 0 ? Math.min(1, Math.max(0, (times[t] - blockEnd[b]) / span)) : 0;
    const lv = (1 - w) * sm.level[b] + w * sm.level[next];
    const h = zCrit * Math.sqrt((1 - w) * sm.variance[b] + w * sm.variance[next]);
    history.push({ at: times[t], value: safeAverage(roll, n), smoothed: Math.tanh(lv), lo: Math.tanh(lv - h), hi: Math.tanh(lv + h) });
  }
  const nowRho = history[history.length - 1].value;

  // The correlation model on the newest returns, forecast H steps.
  const fitBars = Math.min(T, input.fitBars ?? 2000);
  const fitReturns = returns.map((x) => x.subarray(T - fitBars));
  const forecaster = fitCorrelationForecaster(fitReturns);
  if (forecaster.model.kind === 'ewma') notes.push(`correlation model: EWMA (λ ${forecaster.model.lambda}) because ${forecaster.model.reason}`);
  const mats = forecaster.forecast(H);
  const modelPath = mats.map((R) => averageCorrelation(R, n));
  const known = (k: number) => tailAverageCorrelation(returns, T, W - k);
  const means = windowPath(modelPath, W, known);
  const rWindow = fisherZAverageVariance(W, n, Number.isFinite(nowRho) ? nowRho : 0, kappa);
  const path: PathPoint[] = [];
  for (let k = 1; k <= H; k++) {
    const zm = clampedAtanh(means[k - 1]);
    const h = zCrit * Math.sqrt(windowForecastVariance(k, W, B, P, q, rWindow));
    path.push({ at: times[T - 1] + k * input.barMs, mean: means[k - 1], lo: Math.tanh(zm - h), hi: Math.tanh(zm + h) });
  }

  // Each pair: its window ρ now, and its window ρ at the horizon, blended the same way.
  const nowCorr = correlationMatrix(returns, T - W, T).corr;
  const tailCorr = W - H >= 5 ? safeCorr(returns, T - (W - H), T) : undefined;
  const pairs: BasketForecast['pairs'] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const pathIJ = mats.map((R) => R[i * n + j]);
      const f = windowPath(pathIJ, W, (k) => (k === H && tailCorr ? tailCorr[i * n + j] : NaN));
      pairs.push({ a: input.symbols[i], b: input.symbols[j], now: nowCorr[i * n + j], forecast: f[H - 1] });
    }
  }

  const regime = input.regime ? regimeOutlook(input.regime, H) : null;
  if (regime && !regime.separated) notes.push("the regime model finds no stress state distinct from the others in this basket's history: its odds say little");
  const h = zCrit * Math.sqrt(P);
  return {
    symbols: input.symbols,
    horizonBars: H,
    coverage,
    model: forecaster.model,
    avgCorrelation: { now: nowRho, smoothed: Math.tanh(level), band: [Math.tanh(level - h), Math.tanh(level + h)], path, history },
    pairs,
    regime,
    kalman: { q, r: r[blocks - 1], blockLength: B, kappa },
    notes,
  };
}

/**
 * The elliptical kurtosis parameter κ (Muirhead & Waternaux 1980), which multiplies the sampling variance of a
 * correlation by (1 + κ): the mean excess kurtosis within non-overlapping blocks of `block` returns, over 3, clamped
 * to [0, 10]. Within a block, not over the whole history: the filter's observations are block correlations, and a
 * block sees the tails of its own stretch; the kurtosis of the whole history mostly measures volatility changing
 * between stretches (clustering), which does not widen a block's sampling error.
 */
export function ellipticalKappa(returns: Float64Array[], block: number): number {
  let sum = 0;
  let used = 0;
  for (const x of returns) {
    for (let end = x.length; end - block >= 0; end -= block) {
      let m = 0;
      for (let t = end - block; t < end; t++) m += x[t];
      m /= block;
      let m2 = 0;
      let m4 = 0;
      for (let t = end - block; t < end; t++) {
        const d = (x[t] - m) ** 2;
        m2 += d;
        m4 += d * d;
      }
      m2 /= block;
      m4 /= block;
      if (m2 > 0) {
        sum += m4 / (m2 * m2) - 3;
        used++;
      }
    }
  }
  return used ? Math.min(10, Math.max(0, sum / used / 3)) : 0;
}

/** ρ̄ of a correlation matrix, NaN when a series was flat over the window (no correlation defined). */
function safeAverage(roll: RollingCorrelation, n: number): number {
  try {
    return averageCorrelation(roll.correlation(), n);
  } catch (e) {
    if (e instanceof DataError) return NaN;
    throw e;
  }
}

function safeCorr(returns: Float64Array[], start: number, end: number): Float64Array | undefined {
  try {
    return correlationMatrix(returns, start, end, { minReturns: 5 }).corr;
  } catch (e) {
    if (e instanceof DataError) return undefined;
    throw e;
  }
}
