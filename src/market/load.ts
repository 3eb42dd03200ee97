import type { Calendar } from '../domain/calendar.js';
import { UserError } from '../domain/errors.js';
import type { MarketSource } from '../domain/ports.js';
import type { AlignedCloses, Candle } from '../domain/types.js';
import { isoTime } from '../domain/timeframe.js';
import { alignCandles } from './align.js';

const when = (t: number) => (Number.isFinite(t) ? isoTime(t) : t > 0 ? 'now' : 'the beginning');

export interface LoadAlignedOptions {
  /** Symbols fetched at the same time; default 4. */
  concurrency?: number;
  /** The basket's calendar: grid gaps are reported only on `continuous` (see alignCandles). Default `continuous`. */
  calendar?: Calendar;
  /** Abort the fetches (FetchOptions.signal): the first aborted one rejects and no further symbol is started. */
  signal?: AbortSignal;
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order; stops starting new work after a failure. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}

/**
 * Fetch closed candles of each symbol with open time in [since, until) (a few symbols at a time) and align
 * them on exact timestamps. A symbol with no candles in the range is a UserError naming it.
 */
export async function loadAligned(
  source: MarketSource,
  symbols: string[],
  timeframe: string,
  since: number,
  until: number,
  opts: LoadAlignedOptions = {},
): Promise<AlignedCloses> {
  const series = await mapLimit(symbols, opts.concurrency ?? 4, async (symbol) => {
    const candles: Candle[] = await source.fetchCandles(symbol, timeframe, since, until, opts.signal ? { signal: opts.signal } : undefined);
    if (candles.length === 0) {
      throw new UserError(
        'no_data',
        `${symbol} has no ${timeframe} bars on ${source.venue} between ${when(since)} and ${when(until)}`,
      );
    }
    return { symbol, candles };
  });
  return alignCandles(series, timeframe, opts.calendar);
}
