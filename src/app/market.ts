import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { parseDuration } from '../domain/timeframe.js';
import type { Logger } from '../log.js';
import { createMarketSource } from '../market/source-factory.js';
import { FileCandleCache, withCandleCache, type CandleCache } from '../market/candle-cache.js';
import type { StoreChoice } from './store.js';

/**
 * The market source for this process: the configured one (or `--source`), behind the candle cache so repeated
 * queries and ticks don't refetch. CSV files are read directly (no cache needed). The cache is on disk under the data
 * directory, or, when the store is PostgreSQL (`store`, from chooseStore), tables of that database that every replica
 * shares.
 */
export function buildMarketSource(config: Config, override: string | undefined, clock: Clock, log: Logger, store?: StoreChoice): MarketSource {
  const spec = override ?? config.market.source;
  const source = createMarketSource(spec, {
    quote: config.market.quote,
    timeout: parseDuration(config.market.timeout, 'market.timeout'),
    baseUrl: config.market.baseUrl ?? undefined,
    maxRetries: config.market.maxRetries,
    clock,
  });
  if (spec.startsWith('csv:')) return source;
  return withCandleCache(source, candleCacheFor(config, store, log), clock);
}

/** The candle cache for a store choice. PostgreSQL's (and node-postgres) is loaded on first use only, never for lowdb. */
export function candleCacheFor(config: Config, store: StoreChoice | undefined, log: Logger): CandleCache {
  const warn = (msg: string) => log.warn(msg);
  if (store?.kind !== 'postgres') return new FileCandleCache(join(config.dataDir, 'candles'), warn, { maxBars: config.cache.maxBars });
  const target = store.target;
  let loaded: Promise<CandleCache> | undefined;
  const cache = () =>
    (loaded ??= import('../market/candle-cache-postgres.js').then(({ PostgresCandleCache }) => new PostgresCandleCache(target, warn, { maxBars: config.cache.maxBars })));
  return {
    read: async (key) => (await cache()).read(key),
    merge: async (key, fetched) => (await cache()).merge(key, fetched),
    // Closes the pool when the cache was used; a cache never used opened nothing (and is not loaded to be closed).
    close: async () => {
      if (loaded) await (await loaded).close?.();
    },
  };
}
