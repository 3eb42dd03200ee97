import type { Calendar } from './calendar.js';
import type { Candle } from './types.js';

/** Per-call options of a market source's calls. */
export interface FetchOptions {
  /**
   * Abort the call: it rejects promptly with SourceError('aborted') (src/market/abort.ts), stops waiting for a retry,
   * and starts no further request. A graceful stop of `corrwatch start` aborts the tick in flight this way.
   */
  signal?: AbortSignal;
}

/**
 * Where candles come from (ccxt exchange, CSV file, simulator). Symbols are given as the user typed them
 * (`BTC`, `ETH/BTC`); the source resolves them (e.g. `BTC` -> `BTC/USDT` on ccxt).
 */
export interface MarketSource {
  /** The spec it was built from, e.g. `ccxt:binance`, `csv:/data/prices.csv`, `sim:42`. */
  readonly id: string;
  /** Name used in messages: `binance`, `prices.csv`, `simulator`. */
  readonly venue: string;
  /**
   * Closed candles of one symbol with open time in [since, until), sorted ascending, no duplicates.
   * Throws UserError('unknown_symbol') for a symbol the source does not list (message suggests the nearest),
   * SourceError for failures of the source itself (code `aborted` when `opts.signal` fired).
   */
  fetchCandles(symbol: string, timeframe: string, since: number, until: number, opts?: FetchOptions): Promise<Candle[]>;
  /** Symbols the source lists, in the form users type them (`BTC` for BTC/USDT on ccxt with quote USDT). */
  listSymbols(opts?: FetchOptions): Promise<string[]>;
  /** Canonical form of a user-typed symbol; throws UserError('unknown_symbol') with a suggestion. */
  resolveSymbol(symbol: string, opts?: FetchOptions): Promise<string>;
  /** The bar interval of the data when the source fixes it (CSV files); undefined when any timeframe works. */
  nativeTimeframe?(): Promise<string | undefined>;
  /** Newest closed bar's open time available for a timeframe, when the source knows it (CSV, sim). */
  latestBarTime?(timeframe: string): Promise<number | undefined>;
  /**
   * The trading calendar of one symbol (src/domain/calendar.ts): `continuous` for exchanges that never close
   * (ccxt, the simulator), inferred from the timestamps for a CSV file. Undefined means `continuous`.
   */
  calendar?(symbol: string): Promise<Calendar>;
  /** Release what the source holds open (a cache's database connections) when the process stops. */
  close?(): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
