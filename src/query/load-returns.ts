import { UserError } from '../domain/errors.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { isoTime, timeframeMs, type WindowSpec } from '../domain/timeframe.js';
import { loadAligned } from '../market/load.js';
import { alignedReturns, type ReturnsWindow } from './returns-window.js';

export interface LoadOptions {
  clock: Clock;
  /** Most bars fetched from an exchange for `all`. */
  maxBars: number;
  /** How many windows of returns to load (2 for compare; more for rolling charts). */
  windows?: number;
}

/**
 * Fetch the candles a query needs (from the bar at `at`, or the latest closed bar, back far enough for
 * `windows` windows plus a margin for bars the alignment may drop), align them, and compute returns.
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
  const now = opts.clock.now();
  const latest = (await source.latestBarTime?.(timeframe)) ?? Math.floor(now / tf) * tf - tf;
  const endBar = at === undefined ? latest : Math.min(Math.floor(at / tf) * tf, latest);
  const isFile = source.id.startsWith('csv:');
  let since: number;
  if (isFile) since = 0;
  else if (window.kind === 'all') since = endBar - opts.maxBars * tf;
  else {
    const bars = window.returns * (opts.windows ?? 1);
    since = endBar - (bars + Math.max(10, Math.ceil(bars * 0.1))) * tf;
  }
  const aligned = await loadAligned(source, symbols, timeframe, since, endBar + tf);
  const rw = alignedReturns(aligned);
  if (rw.times.length === 0) {
    throw new UserError('no_data', `no returns for ${symbols.join(', ')} up to ${isoTime(endBar)} on ${source.venue} (${timeframe} bars)`);
  }
  return rw;
}
