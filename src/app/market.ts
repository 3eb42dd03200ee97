import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { parseDuration } from '../domain/timeframe.js';
import type { Logger } from '../log.js';
import { createMarketSource } from '../market/source-factory.js';
import { FileCandleCache, withCandleCache } from '../market/candle-cache.js';

/**
 * The market source for this process: the configured one (or `--source`), behind the on-disk candle cache under
 * the data directory so repeated queries and ticks don't refetch. CSV files are read directly (no cache needed).
 */
export function buildMarketSource(config: Config, override: string | undefined, clock: Clock, log: Logger): MarketSource {
  const spec = override ?? config.market.source;
  const source = createMarketSource(spec, {
    quote: config.market.quote,
    timeout: parseDuration(config.market.timeout, 'market.timeout'),
    baseUrl: config.market.baseUrl ?? undefined,
    maxRetries: config.market.maxRetries,
    clock,
  });
  if (spec.startsWith('csv:')) return source;
  const cache = new FileCandleCache(join(config.dataDir, 'candles'), (msg: string) => log.warn(msg), { maxBars: config.cache.maxBars });
  return withCandleCache(source, cache, clock);
}
