import { timeframeMs } from '../domain/timeframe.js';

/**
 * The CUSUM threshold for a stated false-alarm rate (docs/methods.md, "Calibration").
 *
 * scripts/calibrate-detector.ts runs the whole detector and alert policy, with the shipped defaults of a timeframe,
 * over null data (constant correlation; Student-t tails on the factor and on each asset; GARCH(1,1) volatility
 * clustering with t4 innovations; N = 3, 6, 12, 25; ρ = 0.1, 0.3, 0.6) and counts false episodes. Over the thresholds
 * that matter the mean run length between false episodes grows as ARL0 ≈ exp(slope·h + intercept) bars (the form
 * of Siegmund's approximation, ARL0 ∝ e^h for a Gaussian CUSUM; heavy tails flatten the slope). The constants are
 * least-squares fits of ln ARL0 on h to the mean rate over those cells: intraday defaults (window 7d of 1h bars,
 * baseline 90 days) and daily defaults (window 90 bars, baseline 500 bars, whose shorter baseline makes the
 * reference noisier and false alarms likelier at the same h).
 */
export const ARL_FIT = {
  intraday: { slope: 0.49, intercept: 5.83 },
  daily: { slope: 0.5, intercept: 5.11 },
} as const;
const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

/**
 * The alarm threshold h (nats) whose mean run length between false episodes is `arlBars` bars; at least 4.5
 * (enterZ 3), below which the fit is extrapolated and an episode could open on a couple of bars of noise, and which
 * keeps the default exit level (2) below the entry.
 */
export function thresholdForArl(arlBars: number, timeframe: string): number {
  if (!(arlBars > 1)) throw new RangeError(`arlBars must be > 1, got ${arlBars}`);
  const fit = timeframeMs(timeframe) >= DAY_MS ? ARL_FIT.daily : ARL_FIT.intraday;
  return Math.max(4.5, (Math.log(arlBars) - fit.intercept) / fit.slope);
}

/**
 * The default entry level (evidence √(2h)) for a timeframe: about one false convergence alert per
 * `falseAlarmYears` years of bars of a basket whose correlation does not change, counting every bar of the year as
 * a 24/7 market has (a market that closes has fewer bars a year, so fewer false alarms per calendar year).
 */
export function defaultEnterZ(timeframe: string, falseAlarmYears: number): number {
  const bars = (falseAlarmYears * YEAR_MS) / timeframeMs(timeframe);
  return Math.round(Math.sqrt(2 * thresholdForArl(bars, timeframe)) * 100) / 100;
}
