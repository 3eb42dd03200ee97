import { historySpanFactor, type Calendar } from '../domain/calendar.js';
import { checkBars } from '../domain/limits.js';
import { UserError } from '../domain/errors.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { isoTime, timeframeMs, type WindowSpec } from '../domain/timeframe.js';
import { calendarNote, resolveBasketCalendar } from '../market/basket-calendar.js';
import { loadAligned } from '../market/load.js';
import { evaluationBar } from './evaluation-bar.js';
import { alignedReturns, type ReturnsWindow } from './returns-window.js';

export interface LoadOptions {
  clock: Clock;
  /** Most bars fetched from an exchange (or a simulator) for one query: `all`, or a window times `windows`. */
  maxBars: number;
  /** How many windows of returns to load (2 for compare; more for rolling charts). */
  windows?: number;
  /** `--calendar`: overrides the calendar inferred from the source. */
  calendar?: Calendar;
}

/**
 * Fetch the candles a query needs (from the bar at `at`, or the latest closed bar — the source's last bar when its
 * data ends in the past — back far enough for `windows` windows plus a margin for bars the alignment may drop),
 * align them, and compute returns between consecutive aligned bars under the basket's calendar (the option, else
 * the source's). The notes say which calendar was used and, for past data, the date evaluated ("as of ...").
 */
export async function loadReturns(
  source: MarketSource,
  symbols: string[],
  timeframe: string,
  window: WindowSpec,
  at: number | undefined,
  opts: LoadOptions,
): Promise<ReturnsWindow> {
  const tf = timeframeMs(timeframe);
  const cal = await resolveBasketCalendar(source, symbols, opts.calendar);
  const { endBar, asOfNote } = await evaluationBar(source, timeframe, opts.clock, at);
  const isFile = source.id.startsWith('csv:');
  const span = historySpanFactor(cal.calendar);
  let since: number;
  if (isFile) since = 0;
  else if (window.kind === 'all') since = endBar - opts.maxBars * tf;
  else {
    const bars = window.returns * (opts.windows ?? 1);
    const what = (opts.windows ?? 1) > 1 ? `this query (${opts.windows} windows of ${window.returns} ${timeframe} returns)` : `a window of ${window.returns} ${timeframe} returns`;
    checkBars(bars, opts.maxBars, what, 'use a smaller window or a larger timeframe (market.maxBars sets the bound)');
    since = endBar - Math.ceil((bars + Math.max(10, Math.ceil(bars * 0.1))) * span) * tf;
  }
  const aligned = await loadAligned(source, symbols, timeframe, since, endBar + tf, { calendar: cal.calendar });
  const rw = alignedReturns(aligned, cal.calendar);
  if (rw.times.length === 0) {
    throw new UserError('no_data', `no returns for ${symbols.join(', ')} up to ${isoTime(endBar)} on ${source.venue} (${timeframe} bars)`);
  }
  rw.notes = [...(asOfNote ? [asOfNote] : []), calendarNote(cal), ...rw.notes];
  return rw;
}
