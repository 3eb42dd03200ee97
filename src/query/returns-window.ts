import type { Calendar } from '../domain/calendar.js';
import { DataError, UserError } from '../domain/errors.js';
import { isoTime, timeframeMs, type WindowSpec } from '../domain/timeframe.js';
import type { AlignedCloses } from '../domain/types.js';
import { logReturns } from '../stats/returns.js';

/**
 * Log returns of aligned closes. times[k] is the open time of the bar at which return k ends
 * (r_k = ln(P_k / P_{k-1})), so "the 60 returns ending at bar T" are the last 60 with times <= T.
 */
export interface ReturnsWindow {
  symbols: string[];
  timeframe: string;
  times: Float64Array;
  returns: Float64Array[];
  /** What was dropped or shortened, for the reply. */
  notes: string[];
}

/**
 * Returns between consecutive aligned bars: r_k = ln(P_k / P_{k-1}), what pandas gives after an inner join and
 * np.log(p).diff(). A closed market is not missing data, so on the `weekdays` and `data` calendars every such
 * return is kept (Friday → Monday is one return, for BTC in a basket with SPX as for SPX). Only on the
 * `continuous` calendar (a market that never closes) is a spacing of more than one bar a gap in the data: the
 * return that spans it is dropped (so every return covers exactly one bar interval) and the count is reported in
 * `notes`.
 */
export function alignedReturns(aligned: AlignedCloses, calendar: Calendar = 'continuous'): ReturnsWindow {
  const tf = timeframeMs(aligned.timeframe);
  const ts = aligned.timestamps;
  const notes = [...aligned.report.notes];
  const all = aligned.closes.map((c, i) => {
    try {
      return logReturns(c);
    } catch (e) {
      if (e instanceof DataError) throw new DataError(e.code as 'non_finite_price', `${aligned.symbols[i]}: ${e.message}`, i);
      throw e;
    }
  });
  const keep: number[] = [];
  const continuous = calendar === 'continuous';
  for (let k = 1; k < ts.length; k++) if (!continuous || ts[k] - ts[k - 1] === tf) keep.push(k - 1);
  const spanning = ts.length - 1 - keep.length;
  if (spanning > 0) notes.push(`${spanning} return${spanning > 1 ? 's' : ''} spanning a missing bar dropped`);
  const times = new Float64Array(keep.length);
  keep.forEach((k, j) => (times[j] = ts[k + 1]));
  const returns = all.map((r) => {
    const out = new Float64Array(keep.length);
    keep.forEach((k, j) => (out[j] = r[k]));
    return out;
  });
  return { symbols: aligned.symbols, timeframe: aligned.timeframe, times, returns, notes };
}

/** The slice [start, end) of a ReturnsWindow. */
export function sliceReturns(rw: ReturnsWindow, start: number, end: number): ReturnsWindow {
  return {
    symbols: rw.symbols,
    timeframe: rw.timeframe,
    times: rw.times.subarray(start, end),
    returns: rw.returns.map((r) => r.subarray(start, end)),
    notes: rw.notes,
  };
}

/** Index one past the last return ending at or before `at` (all of them when `at` is undefined). */
export function endIndexAt(rw: ReturnsWindow, at?: number): number {
  if (at === undefined) return rw.times.length;
  let lo = 0;
  let hi = rw.times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rw.times[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) {
    const first = rw.times.length ? isoTime(rw.times[0]) : 'none';
    throw new UserError('at_before_data', `--at ${isoTime(at)} is before the first return in the data (${first})`);
  }
  return lo;
}

/**
 * The window: the last W returns ending at the bar at `at` (inclusive; default: the latest), or all of them.
 * When fewer than W exist, uses what there is and says so in `notes`.
 */
export function takeWindow(rw: ReturnsWindow, window: WindowSpec, at?: number): ReturnsWindow {
  const end = endIndexAt(rw, at);
  if (window.kind === 'all') return sliceReturns(rw, 0, end);
  const start = Math.max(0, end - window.returns);
  const out = sliceReturns(rw, start, end);
  if (end - start < window.returns) {
    out.notes = [...rw.notes, `only ${end - start} returns available, ${window.returns} asked for`];
  }
  return out;
}
