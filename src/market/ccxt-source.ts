/**
 * Market source backed by a ccxt exchange (spot markets only). The only module that imports ccxt; it is loaded
 * lazily (about a second) so that CSV and simulator runs don't pay for it.
 *
 * - `BTC` means `BTC/<quote>`; `ETH/BTC` is taken as written; case-insensitive.
 * - Markets are loaded once, on first use. ccxt keeps a rejected loadMarkets promise forever, so a failed load is
 *   retried with `loadMarkets(true)`.
 * - Candles are fetched page by page from `since` (the exchange's per-call limit, 1000 on binance) up to `until`
 *   or the last closed bar, whichever is earlier; the bar in progress is never returned.
 * - A bar whose close is no number is returned with a NaN close (left out downstream like a missing bar); a bar
 *   without a valid time fails the call (bad_response).
 * - ccxt errors become SourceError (rate_limited, timeout, unavailable, network: retryable; bad_response: not) or
 *   UserError (unknown_symbol). Retryable ones are retried with exponential backoff and jitter, honouring
 *   Retry-After. ccxt's own rate limiter stays on (`rateLimit` tunes it).
 * - Calls take an AbortSignal (FetchOptions): ccxt has none, so each request is raced against it; an abort rejects
 *   at once with SourceError('aborted'), stops a retry's wait and starts no further page. The abandoned request
 *   ends on its own (an answer, or ccxt's timeout) and is ignored. The shared markets load is not cancelled (other
 *   calls wait for it too): only this call stops waiting for it.
 */
import type { Exchange } from 'ccxt';
import { SourceError, UserError } from '../domain/errors.js';
import type { Candle } from '../domain/types.js';
import { systemClock, type Clock, type FetchOptions, type MarketSource } from '../domain/ports.js';
import { didYouMean } from '../domain/suggest.js';
import { durationMs, isoTime, timeframeMs } from '../domain/timeframe.js';
import { abortable } from './abort.js';
import { realSleep, withRetry, type RetryOptions } from './retry.js';

type Ccxt = (typeof import('ccxt'))['default'];

export interface CcxtSourceOptions {
  /** ccxt exchange id, e.g. `binance` (case-insensitive). */
  exchangeId: string;
  /** Quote currency that a bare base means: `BTC` -> `BTC/USDT`. Default USDT. */
  quote?: string;
  /** ccxt request timeout in ms; default 10000. */
  timeout?: number;
  /** Replace the scheme and host of every `urls.api` entry with this (proxies, testnets, local fakes). */
  baseUrl?: string;
  /** Retries of a retryable failure; default 3. */
  maxRetries?: number;
  /** First backoff delay in ms; default 500 (doubles each retry, with jitter, capped at 30 s). */
  retryBaseMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Decides which bars are closed. */
  clock?: Clock;
  /**
   * ccxt's rate limiter: ms per unit of request cost, default the exchange's own (binance: 50 ms; a spot klines
   * request costs 0.4 units, so at most one every 20 ms). Tests and benches against a local fake lower it; 0 turns
   * it off.
   */
  rateLimit?: number;
}

interface SpotIndex {
  /** Upper-cased unified symbol -> unified symbol, every spot market. */
  bySymbol: Map<string, string>;
  /** Active bases quoted in the configured quote, sorted: what users type. */
  bases: string[];
  /** Every spot symbol, for suggestions on `A/B` input. */
  symbols: string[];
}

const MAX_PAGES = 100_000;

/** Drop query strings and anything that looks like a credential, keep one short line. */
export function sanitizeMessage(text: string, exchangeId: string): string {
  let s = text.split('\n')[0] ?? '';
  s = s.replace(/\b(api[-_]?key|secret|signature|token|passphrase|password)=[^&\s"]*/gi, '$1=[redacted]');
  s = s.replace(/https?:\/\/\S+/g, '');
  s = s.replace(/\b(GET|POST|PUT|DELETE)\b\s*/g, '');
  if (s.toLowerCase().startsWith(exchangeId.toLowerCase() + ' ')) s = s.slice(exchangeId.length + 1);
  s = s.replace(/\s+/g, ' ').trim();
  return s.length > 160 ? s.slice(0, 157) + '...' : s;
}

/** Rewrite the scheme://host of every URL in ccxt's `urls.api` (a string or nested object) to `base`. */
export function rewriteApiUrls(api: unknown, base: string): unknown {
  const root = base.replace(/\/+$/, '');
  if (typeof api === 'string') return api.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, root);
  if (api && typeof api === 'object') {
    const out: Record<string, unknown> = Array.isArray(api) ? ([] as unknown as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(api)) out[k] = rewriteApiUrls(v, root);
    return out;
  }
  return api;
}

export function createCcxtSource(opts: CcxtSourceOptions): MarketSource {
  const exchangeId = opts.exchangeId.trim().toLowerCase();
  const quote = (opts.quote ?? 'USDT').trim().toUpperCase();
  const clock = opts.clock ?? systemClock;
  const timeoutMs = opts.timeout ?? 10_000;
  const timeoutText = timeoutMs >= 1000 && timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
  const retry: RetryOptions = {
    maxRetries: opts.maxRetries ?? 3,
    baseMs: opts.retryBaseMs ?? 500,
    maxMs: 30_000,
    maxRetryAfterMs: 60_000,
    sleep: opts.sleep ?? realSleep,
    random: opts.random ?? Math.random,
  };

  let ccxt: Ccxt | undefined;
  let exchangeP: Promise<Exchange> | undefined;
  let indexP: Promise<SpotIndex> | undefined;
  let marketsFailed = false;

  const exchange = (): Promise<Exchange> => {
    exchangeP ??= (async () => {
      const mod = await import('ccxt');
      ccxt = mod.default;
      const ids: string[] = ccxt.exchanges;
      if (!ids.includes(exchangeId)) {
        throw new SourceError(
          'unknown_exchange',
          `unknown exchange "${opts.exchangeId}"${didYouMean(exchangeId, ids)} (ccxt knows: ${ids.join(', ')})`,
          false,
        );
      }
      const Ctor = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[exchangeId];
      const ex = new Ctor({ timeout: timeoutMs, enableRateLimit: opts.rateLimit !== 0, ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}) });
      // Spot only: without this binance also asks the futures APIs (fapi, dapi) for their markets.
      const fm: unknown = ex.options['fetchMarkets'];
      if (Array.isArray(fm) && fm.includes('spot')) ex.options['fetchMarkets'] = ['spot'];
      else if (fm && typeof fm === 'object' && Array.isArray((fm as { types?: unknown }).types)) {
        ex.options['fetchMarkets'] = { ...fm, types: ['spot'] };
      }
      if (opts.baseUrl) ex.urls['api'] = rewriteApiUrls(ex.urls['api'], opts.baseUrl) as typeof ex.urls['api'];
      return ex;
    })();
    return exchangeP;
  };

  /** Map a ccxt failure to our errors; `what` says what was being done (for the message). */
  const mapError = (e: unknown, what: string): unknown => {
    if (!ccxt || !(e instanceof ccxt.BaseError)) return e;
    const detail = sanitizeMessage(e.message, exchangeId);
    const status = /(?:^|\s)([45]\d\d)(?:\s|$)/.exec(detail)?.[1];
    const http = status ? ` (HTTP ${status})` : '';
    // Named with `what`: the markets loaded at start still list it (resolveSymbol let it through), so it is likely
    // delisted since, and a basket's status must say which of its symbols it is.
    if (e instanceof ccxt.BadSymbol) return new UserError('unknown_symbol', `${exchangeId} does not list that market (${detail}) while ${what}`);
    if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) {
      return new SourceError('rate_limited', `${exchangeId} is rate-limiting corrwatch${http} while ${what}`, true, { cause: e });
    }
    if (e instanceof ccxt.RequestTimeout) {
      return new SourceError('timeout', `${exchangeId} did not answer within ${timeoutText} while ${what}`, true, { cause: e });
    }
    if (e instanceof ccxt.ExchangeNotAvailable) {
      return new SourceError('unavailable', `${exchangeId} is unavailable${http} while ${what}`, true, { cause: e });
    }
    if (e instanceof ccxt.NetworkError) {
      return new SourceError('network', `cannot reach ${exchangeId} while ${what}: ${detail || 'network error'}`, true, { cause: e });
    }
    return new SourceError('bad_response', `${exchangeId} refused or garbled the request while ${what}: ${detail || e.name}`, false, { cause: e });
  };

  const call = async <T>(what: string, fn: (ex: Exchange, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    const ex = await abortable(exchange(), signal, what);
    return withRetry(
      async (attempt) => {
        try {
          return await fn(ex, attempt);
        } catch (e) {
          throw mapError(e, what);
        }
      },
      retry,
      (e) => {
        if (e.code !== 'rate_limited') return undefined;
        const headers = (ex.last_response_headers ?? {}) as Record<string, string | undefined>;
        const value = Number(headers['Retry-After'] ?? headers['retry-after']);
        return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
      },
      { signal, what },
    );
  };

  const index = (): Promise<SpotIndex> => {
    // ccxt keeps a rejected loadMarkets promise: after any failure, ask it to reload.
    indexP ??= call(`loading its markets`, (ex, attempt) => ex.loadMarkets(attempt > 0 || marketsFailed)).then(
      (markets) => {
        const bySymbol = new Map<string, string>();
        const bases = new Set<string>();
        for (const m of Object.values(markets)) {
          if (!m || m.spot !== true) continue;
          bySymbol.set(m.symbol.toUpperCase(), m.symbol);
          if (m.quote === quote && m.active !== false) bases.add(m.base);
        }
        return { bySymbol, bases: [...bases].sort(), symbols: [...bySymbol.values()].sort() };
      },
      (e: unknown) => {
        indexP = undefined;
        marketsFailed = true;
        throw e;
      },
    );
    return indexP;
  };

  /** The markets, unless the signal fires first (the load itself goes on for the other callers). */
  const indexFor = (opts: FetchOptions | undefined): Promise<SpotIndex> => abortable(index(), opts?.signal, 'loading its markets');

  const resolveSymbol = async (symbol: string, opts?: FetchOptions): Promise<string> => {
    const typed = symbol.trim();
    const upper = typed.toUpperCase();
    const { bySymbol, bases, symbols } = await indexFor(opts);
    const wanted = upper.includes('/') ? upper : `${upper}/${quote}`;
    const found = bySymbol.get(wanted);
    if (found) return found;
    const hint = upper.includes('/') ? didYouMean(upper, symbols) : didYouMean(upper, bases);
    const scope = upper.includes('/') ? 'spot' : `spot, quoted in ${quote}`;
    throw new UserError('unknown_symbol', hint ? `${typed} is not listed on ${exchangeId}${hint}` : `${typed} is not listed on ${exchangeId} (${scope})`);
  };

  const fetchCandles = async (symbol: string, timeframe: string, since: number, until: number, opts?: FetchOptions): Promise<Candle[]> => {
    const signal = opts?.signal;
    const market = await resolveSymbol(symbol, opts);
    const ex = await abortable(exchange(), signal);
    if (!ex.has['fetchOHLCV']) throw new UserError('unsupported_source', `${exchangeId} does not offer candles (OHLCV) through ccxt`);
    // Month bars (1M) have no fixed length: corrwatch cannot use them, so they are not offered.
    const offered = Object.keys(ex.timeframes ?? {}).filter((t) => durationMs(t) !== undefined);
    if (!offered.includes(timeframe)) {
      throw new UserError('unsupported_timeframe', `${exchangeId} does not offer ${timeframe} candles; use one of ${offered.join(', ')}`);
    }
    const tf = timeframeMs(timeframe);
    // A bar is closed when its close time (open + tf) is not after now.
    const end = Math.min(until, Math.floor(clock.now() / tf) * tf);
    const features = ex.features as { spot?: { fetchOHLCV?: { limit?: number } } } | undefined;
    const pageLimit = features?.spot?.fetchOHLCV?.limit ?? 500;
    const byTime = new Map<number, Candle>();
    let cursor = since;
    for (let page = 0; cursor < end && page < MAX_PAGES; page++) {
      const limit = Math.max(1, Math.min(pageLimit, Math.ceil((end - cursor) / tf)));
      const what = `fetching ${market} ${timeframe} candles from ${isoTime(cursor)}`;
      // After an abort, call() rejects before asking: no further page is requested.
      const rows = await call(what, (e) => e.fetchOHLCV(market, timeframe, cursor, limit), signal);
      if (rows.length === 0) break;
      let last = -Infinity;
      for (const row of rows) {
        const [t, o, h, l, c, v] = row;
        if (typeof t !== 'number' || !Number.isFinite(t)) {
          throw new SourceError('bad_response', `${exchangeId} returned a malformed ${timeframe} candle for ${market} (${what})`, false);
        }
        last = Math.max(last, t);
        if (t < since || t >= end) continue;
        // A bar without a price (NaN, missing) is passed on as NaN: the cache and the alignment leave it out like a
        // missing bar. Refusing the whole answer failed the basket on every tick while the bar was in its range.
        const candle: Candle = { t, c: typeof c === 'number' ? c : Number.NaN };
        if (typeof o === 'number') candle.o = o;
        if (typeof h === 'number') candle.h = h;
        if (typeof l === 'number') candle.l = l;
        if (typeof v === 'number') candle.v = v;
        byTime.set(t, candle);
      }
      // Next page starts after the newest bar returned; no progress means the exchange has nothing newer.
      if (last + tf <= cursor) break;
      cursor = last + tf;
    }
    return [...byTime.values()].sort((a, b) => a.t - b.t);
  };

  return {
    id: `ccxt:${exchangeId}`,
    venue: exchangeId,
    fetchCandles,
    listSymbols: async (opts) => (await indexFor(opts)).bases,
    resolveSymbol,
    // Crypto exchanges never close: a skipped bar is missing data.
    calendar: async () => 'continuous',
  };
}
