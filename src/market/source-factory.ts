import { UserError } from '../domain/errors.js';
import { EXCHANGE_ID_PATTERN, SOURCE_HINT } from '../domain/patterns.js';
import type { Clock, MarketSource } from '../domain/ports.js';
import { createCcxtSource, type CcxtSourceOptions } from './ccxt-source.js';
import { statSync } from 'node:fs';
import { createCsvDirectorySource } from './csv-directory-source.js';
import { createCsvSource } from './csv-source.js';
import { createSimSource, type SimOptions } from './sim-source.js';

/** The ccxt options as CcxtSourceOptions documents them (quote, timeout, baseUrl, retries, sleep), and the others. */
export interface MarketSourceOptions extends Pick<CcxtSourceOptions, 'quote' | 'timeout' | 'baseUrl' | 'maxRetries' | 'retryBaseMs' | 'sleep'> {
  /** ccxt and sim: which bars are closed. */
  clock?: Clock;
  /** csv: the file's bar interval when it should not be inferred. */
  csvTimeframe?: string;
  /** sim: model parameters (the clock above is used when this has none). */
  sim?: SimOptions;
}

const USAGE = `expected ${SOURCE_HINT}`;

/** Whether a path names an existing folder (anything that cannot be checked is taken as a file, and said at use). */
function isFolder(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** Build a market source from `ccxt:<exchangeId>`, `csv:<file or folder>` or `sim:<seed>`. */
export function createMarketSource(spec: string, opts: MarketSourceOptions = {}): MarketSource {
  const s = spec.trim();
  const colon = s.indexOf(':');
  const kind = colon === -1 ? '' : s.slice(0, colon).toLowerCase();
  const rest = colon === -1 ? '' : s.slice(colon + 1).trim();
  switch (kind) {
    case 'ccxt':
      if (!EXCHANGE_ID_PATTERN.test(rest.toLowerCase())) throw new UserError('bad_source', `source: ccxt needs an exchange id like ccxt:binance, got "${spec}"`);
      return createCcxtSource({
        exchangeId: rest,
        quote: opts.quote,
        timeout: opts.timeout,
        baseUrl: opts.baseUrl,
        maxRetries: opts.maxRetries,
        retryBaseMs: opts.retryBaseMs,
        sleep: opts.sleep,
        clock: opts.clock,
      });
    case 'csv':
      if (rest === '') throw new UserError('bad_source', `source: csv needs a file path like csv:data/prices.csv, got "${spec}"`);
      // A folder (named with a trailing slash, or found to be one) serves every .csv file in it.
      if (/[/\\]$/.test(rest) || isFolder(rest)) {
        return createCsvDirectorySource(rest, { timeframe: opts.csvTimeframe });
      }
      return createCsvSource(rest, { timeframe: opts.csvTimeframe });
    case 'sim':
      if (!/^\d+$/.test(rest) || !Number.isSafeInteger(Number(rest))) {
        throw new UserError('bad_source', `source: sim needs a whole-number seed like sim:42, got "${spec}"`);
      }
      return createSimSource(Number(rest), { clock: opts.clock, ...opts.sim });
    default:
      throw new UserError('bad_source', `source: ${USAGE}, got "${spec}"`);
  }
}
