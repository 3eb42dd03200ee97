import { timeframeMs } from './timeframe.js';

/**
 * A window sized to the timeframe: about a week of hourly bars, and for other timeframes a span that still
 * holds roughly 90-300 returns (enough for a CI half-width near 0.1-0.2) while covering a comparable horizon.
 */
export function defaultWindowFor(timeframe: string): string {
  const ms = timeframeMs(timeframe);
  const min = 60_000;
  const hour = 60 * min;
  if (ms <= min) return '4h'; // 240 returns
  if (ms <= 5 * min) return '1d'; // 288
  if (ms <= 15 * min) return '3d'; // 288
  if (ms <= 30 * min) return '4d'; // 192
  if (ms <= hour) return '7d'; // 168
  if (ms <= 4 * hour) return '30d'; // 180
  if (ms <= 24 * hour) return '90d'; // 90
  return `${Math.max(30, Math.round((ms / (7 * 24 * hour)) * 52))}w`; // about a year of weekly bars
}

/** `auto` -> the default for the timeframe; anything else unchanged. */
export function resolveWindowText(text: string, timeframe: string): string {
  return text === 'auto' ? defaultWindowFor(timeframe) : text;
}

/**
 * The detector's baseline sized to the timeframe: 90 days of intraday bars (long enough to hold calm and stressed
 * stretches, short enough to follow a market whose normal level drifts), and 500 bars (about two years of business
 * days) from daily bars on, where 90 days would be too few bars for a stable reference matrix.
 */
export function defaultBaselineFor(timeframe: string): string {
  const ms = timeframeMs(timeframe);
  if (ms <= 4 * 3_600_000) return '90d';
  if (ms < 86_400_000) return '180d';
  return '500';
}

/** A basket's baseline text: `auto` -> the default for the timeframe. */
export function resolveBaselineText(text: string, timeframe: string): string {
  return text === 'auto' ? defaultBaselineFor(timeframe) : text;
}
