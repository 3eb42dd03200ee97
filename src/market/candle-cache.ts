/**
 * A cache of closed candles per (source, symbol, timeframe), remembering which [from, to) ranges were fetched so
 * that repeated or extended queries only fetch what is missing (before, after, or holes in between).
 *
 * Only closed bars are stored. The stretch after the newest bar returned is not remembered as fetched when it
 * reaches the present: an exchange may publish a just-closed bar a little late, and it must be asked again.
 *
 * A cache is bounded: it keeps the newest maxBars bars of each key (default 10 000; config `cache.maxBars`). Older
 * bars a query asks for are fetched from the source again each time. The caches keep what they hold in memory,
 * column-wise (candle-series.ts); FileCandleCache also appends each change to a file per key (candle-cache-file.ts).
 */
import { KeyedSerialQueue } from '../domain/serial-queue.js';
import { systemClock, type Clock, type MarketSource } from '../domain/ports.js';
import type { Candle } from '../domain/types.js';
import { timeframeMs } from '../domain/timeframe.js';
import { CandleSeries, candlesToRows, cleanCandles, DEFAULT_MAX_BARS, missingRanges, type CachedCandles, type Range } from './candle-series.js';

export { DEFAULT_MAX_BARS, mergeRanges, missingRanges, type CachedCandles, type Range } from './candle-series.js';
export { FileCandleCache, type FileCandleCacheOptions } from './candle-cache-file.js';

/** One fetch to merge into a cache. */
export interface FetchedCandles {
  /** The range fetched: everything the source has in it is in `candles`. */
  range: Range;
  /** The candles fetched, inside `range` (in any order; of several with one time the last wins). */
  candles: readonly Candle[];
  /** The key's bar length, for the bound (maxBars bars per key). */
  timeframeMs: number;
}

/**
 * Candles and fetched ranges per key. `read` hands out a live, read-only view (CachedCandles: its `slice` makes new
 * candle objects, so what a caller gets cannot change the cache); `merge` adds one fetch. A cache may keep only the
 * newest bars of a key (its bound): candles before the bound are dropped and the ranges clipped, so a query reaching
 * further back fetches that part again.
 */
export interface CandleCache {
  read(key: string): Promise<CachedCandles | undefined>;
  merge(key: string, fetched: FetchedCandles): Promise<void>;
  /** Release what the cache holds open (PostgreSQL's pool); the on-disk and in-memory caches hold nothing. */
  close?(): Promise<void>;
}

export function candleCacheKey(sourceId: string, symbol: string, timeframe: string): string {
  return `${sourceId}|${symbol}|${timeframe}`;
}

/** In memory only (tests, one-off runs), bounded to the newest `maxBars` bars per key like the file cache. */
export class MemoryCandleCache implements CandleCache {
  readonly #entries = new Map<string, CandleSeries>();
  readonly #maxBars: number;
  constructor(opts: { maxBars?: number } = {}) {
    this.#maxBars = opts.maxBars ?? DEFAULT_MAX_BARS;
  }
  async read(key: string): Promise<CachedCandles | undefined> {
    const e = this.#entries.get(key);
    return e === undefined || e.isEmpty ? undefined : e;
  }
  async merge(key: string, fetched: FetchedCandles): Promise<void> {
    let e = this.#entries.get(key);
    if (!e) this.#entries.set(key, (e = new CandleSeries()));
    e.mergeBounded(fetched.range, candlesToRows(fetched.candles), fetched.timeframeMs, this.#maxBars);
  }
}

/**
 * `source` behind `cache`: fetchCandles serves what the cache holds and fetches only the missing parts of
 * [since, until) (clipped to closed bars by `clock`). Calls for the same key are serialized so that concurrent
 * queries don't fetch twice or overwrite each other's ranges. Everything else is passed through.
 *
 * The work per call is proportional to the bars returned and fetched, not to the history cached: the cached part is
 * found by binary search, and new bars newer than the cached ones are appended. Candles without a finite time and
 * a positive close are dropped (a cache cannot hold them). The candles returned are new objects.
 */
export function withCandleCache(source: MarketSource, cache: CandleCache, clock: Clock = systemClock): MarketSource {
  const queue = new KeyedSerialQueue();

  const cached: MarketSource = {
    id: source.id,
    venue: source.venue,
    async fetchCandles(symbol, timeframe, since, until, opts) {
      const tf = timeframeMs(timeframe);
      const canonical = await source.resolveSymbol(symbol, opts);
      const key = candleCacheKey(source.id, canonical, timeframe);
      return queue.run(key, async () => {
        const closedEnd = Math.floor(clock.now() / tf) * tf;
        const to = Math.min(until, closedEnd);
        if (since >= to) return [];
        const entry = await cache.read(key);
        const missing = missingRanges(since, to, entry?.ranges ?? []);
        if (entry && missing.length === 0) return entry.slice(since, until);
        // The cached stretches around the missing ones, taken now: a merge may drop old bars (the cache's bound).
        const held: Candle[][] = [];
        let cursor = since;
        for (const [a, b] of missing) {
          held.push(entry && a > cursor ? entry.slice(cursor, a) : []);
          cursor = b;
        }
        const tail = entry && cursor < until ? entry.slice(cursor, until) : [];
        const parts: Candle[][] = [];
        for (let i = 0; i < missing.length; i++) {
          const [a, b] = missing[i];
          const got = await source.fetchCandles(canonical, timeframe, a, b, opts);
          const candles = cleanCandles(got.filter((k) => k.t >= a && k.t < b && k.t + tf <= closedEnd));
          // Up to the present, only up to the newest bar returned counts as fetched (a late bar is asked again).
          const coveredEnd = b < closedEnd ? b : candles.length > 0 ? candles[candles.length - 1].t + tf : a;
          if (coveredEnd > a) await cache.merge(key, { range: [a, coveredEnd], candles, timeframeMs: tf });
          parts.push(held[i], candles);
        }
        parts.push(tail);
        return parts.flat();
      });
    },
    listSymbols: (opts) => source.listSymbols(opts),
    resolveSymbol: (symbol, opts) => source.resolveSymbol(symbol, opts),
  };
  if (source.nativeTimeframe) cached.nativeTimeframe = () => source.nativeTimeframe!();
  if (source.latestBarTime) cached.latestBarTime = (timeframe) => source.latestBarTime!(timeframe);
  if (cache.close || source.close) {
    cached.close = async () => {
      await cache.close?.();
      await source.close?.();
    };
  }
  return cached;
}
