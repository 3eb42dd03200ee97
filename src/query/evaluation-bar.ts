import { UserError } from '../domain/errors.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { isoTime, timeframeMs } from '../domain/timeframe.js';

export interface EvaluationBar {
  /** Open time of the last bar evaluated. */
  endBar: number;
  /** Set when the source's data ends before the clock's latest closed bar (a CSV of the 1990s): `as of 1998-08-14 ...`. */
  asOfNote?: string;
}

/** A bar time for "as of": the date alone for a daily (or longer) bar at midnight UTC, the ISO time otherwise. */
export function asOfText(t: number, timeframe: string): string {
  const iso = isoTime(t);
  return timeframeMs(timeframe) >= 86_400_000 && iso.endsWith('T00:00:00Z') ? iso.slice(0, 10) : iso;
}

/**
 * The bar a query evaluates at: the bar at `at` (rounded down to the grid) when given, but never past the data (a
 * time after the clock's last closed bar is a UserError `future_time`);
 * else the latest closed bar, which is the source's own last bar when it knows it (a CSV file may end years ago)
 * and the last bar closed by the clock otherwise. Evaluating at the data's end instead of failing for want of
 * recent bars is what makes a past file usable; the note says so, so nobody reads an old answer as today's.
 */
export async function evaluationBar(source: MarketSource, timeframe: string, clock: Clock, at?: number): Promise<EvaluationBar> {
  const tf = timeframeMs(timeframe);
  const clockLatest = Math.floor(clock.now() / tf) * tf - tf;
  const sourceLatest = await source.latestBarTime?.(timeframe);
  const latest = sourceLatest ?? clockLatest;
  const asked = at === undefined ? undefined : Math.floor(at / tf) * tf;
  // A time after the clock's last closed bar has no data yet: say so rather than answer for another time (issue 11 §8).
  if (asked !== undefined && asked > clockLatest) {
    throw new UserError('future_time', `--at ${isoTime(at!)} is in the future; the latest closed ${timeframe} bar opened at ${isoTime(clockLatest)}`);
  }
  const endBar = asked === undefined ? latest : Math.min(asked, latest);
  const past = sourceLatest !== undefined && sourceLatest < clockLatest && (asked === undefined || asked > sourceLatest);
  return past ? { endBar, asOfNote: `as of ${asOfText(endBar, timeframe)} (the source's last ${timeframe} bar)` } : { endBar };
}
