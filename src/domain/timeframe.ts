import { UserError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;

/** Milliseconds of a duration like `30s`, `15m`, `4h`, `7d`, `2w`; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms > 0 ? ms : undefined;
}

/** Like durationMs but throws a UserError naming what was expected. */
export function parseDuration(text: string, what = 'duration'): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UserError('bad_duration', `${what}: expected a duration like 30m, 4h or 7d, got "${text}"`);
  return ms;
}

/** Milliseconds of a bar timeframe (`1m`, `5m`, `1h`, `4h`, `1d`, `1w`). Months are not supported. */
export function timeframeMs(timeframe: string): number {
  const ms = durationMs(timeframe);
  if (ms === undefined || !Number.isInteger(ms) || ms < 1000) {
    throw new UserError('bad_timeframe', `timeframe: expected something like 1m, 15m, 1h, 4h or 1d, got "${timeframe}"`);
  }
  return ms;
}

/** The canonical timeframe string for a bar interval in ms (e.g. 3_600_000 -> `1h`), choosing the largest exact unit. */
export function msToTimeframe(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const u = UNIT_MS[unit];
    if (ms % u === 0) return `${ms / u}${unit}`;
  }
  return `${ms / 1000}s`;
}

/** A window in returns: a count, a duration converted with the timeframe, or the whole range. */
export type WindowSpec = { kind: 'count'; returns: number } | { kind: 'all' };

/**
 * Parse `--window`: `60` (returns), `30d` (duration / timeframe, rounded down), or `all`.
 * Throws UserError for anything else, or for a duration shorter than one bar.
 */
export function parseWindow(text: string | number, timeframe: string): WindowSpec {
  if (typeof text === 'number') text = String(text);
  const s = text.trim().toLowerCase();
  if (s === 'all') return { kind: 'all' };
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1) throw new UserError('bad_window', `window: expected a positive number of returns, got "${text}"`);
    return { kind: 'count', returns: n };
  }
  const ms = durationMs(s);
  if (ms === undefined) {
    throw new UserError('bad_window', `window: expected a duration like 7d, a bar count like 168, or "all", got "${text}"`);
  }
  const bars = Math.floor(ms / timeframeMs(timeframe));
  if (bars < 1) throw new UserError('bad_window', `window: ${text} is shorter than one ${timeframe} bar`);
  return { kind: 'count', returns: bars };
}

/** Parse a point in time: ISO-8601, epoch milliseconds or epoch seconds. */
export function parseTimestamp(text: string, what = 'time'): number {
  const s = text.trim();
  // Whole numbers: epoch milliseconds from 1e11 on (March 1973), epoch seconds below (the same rule as CSV files).
  if (/^\d{9,}$/.test(s)) {
    const n = Number(s);
    return n >= 1e11 ? n : n * 1000;
  }
  // A bare date means midnight UTC, not local time.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new UserError('bad_time', `${what}: expected an ISO-8601 time like 2024-03-01T00:00:00Z or epoch milliseconds, got "${text}"`);
  }
  return ms;
}

/** ISO-8601 with seconds, UTC, `Z` suffix and no milliseconds (the format of every timestamp corrwatch prints). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
