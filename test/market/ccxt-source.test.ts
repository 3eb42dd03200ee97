import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceError, UserError } from '../../src/domain/errors.js';
import { createCcxtSource, rewriteApiUrls, sanitizeMessage, type CcxtSourceOptions } from '../../src/market/ccxt-source.js';
import { loadAligned } from '../../src/market/load.js';
import { realSleep } from '../../src/market/retry.js';
import { createWalk, startFakeExchange, type FakeExchange } from '../fakes/fake-exchange.js';

const HOUR = 3_600_000;
const ORIGIN = Date.UTC(2024, 0, 1);
/** Half an hour into 2024-06-01: the 00:00 bar is in progress, the 2024-05-31T23:00 bar is the last closed one. */
const NOW = Date.UTC(2024, 5, 1, 0, 30);
const clock = { now: () => NOW };

let fake: FakeExchange;
const sleeps: number[] = [];

function source(opts: Partial<CcxtSourceOptions> = {}) {
  return createCcxtSource({
    exchangeId: 'binance',
    baseUrl: fake.baseUrl,
    clock,
    timeout: 2_000,
    retryBaseMs: 100,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...opts,
  });
}

async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

const klineRequests = () => fake.requests.filter((r) => r.path === '/api/v3/klines');
/** Rewrites the fake's klines answers while set (cleared before each test). */
let spoilRows: ((id: string, rows: unknown[][]) => unknown[][]) | undefined;

beforeAll(async () => {
  fake = await startFakeExchange({
    seed: 7,
    origin: ORIGIN,
    now: () => NOW,
    klineRows: (id, rows) => spoilRows?.(id, rows) ?? rows,
    markets: [
      ...['BTC', 'ETH', 'BNB', 'XRP'].map((base) => ({ base, quote: 'USDT' })),
      { base: 'SOL', quote: 'USDT', listedAt: Date.UTC(2024, 1, 1) },
      { base: 'LUNA', quote: 'USDT', status: 'BREAK' },
      { base: 'ETH', quote: 'BTC' },
      { base: 'BTC', quote: 'EUR' },
      { base: 'ADA', quote: 'EUR' },
    ],
  });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.setBehavior('/api/v3/klines', null);
  fake.setBehavior('/api/v3/exchangeInfo', null);
  sleeps.length = 0;
  spoilRows = undefined;
});

describe('ccxt source against a fake binance', () => {
  it('loads spot markets once, lists the bases quoted in USDT and resolves symbols case-insensitively', async () => {
    const src = source();
    expect(src.id).toBe('ccxt:binance');
    expect(src.venue).toBe('binance');
    expect(await src.listSymbols()).toEqual(['BNB', 'BTC', 'ETH', 'SOL', 'XRP']);
    expect(await src.resolveSymbol('btc')).toBe('BTC/USDT');
    expect(await src.resolveSymbol(' eth/btc ')).toBe('ETH/BTC');
    expect(await src.resolveSymbol('ADA/EUR')).toBe('ADA/EUR');
    // A halted market can still be resolved (history), but is not offered.
    expect(await src.resolveSymbol('LUNA')).toBe('LUNA/USDT');
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v3/exchangeInfo']);
  });

  it('honours another quote', async () => {
    const src = source({ quote: 'eur' });
    expect(await src.listSymbols()).toEqual(['ADA', 'BTC']);
    expect(await src.resolveSymbol('BTC')).toBe('BTC/EUR');
  });

  it('paginates past the 1000-bar limit and returns exactly the bars of [since, until)', async () => {
    const src = source();
    const since = ORIGIN + 5 * HOUR;
    const until = since + 2500 * HOUR;
    const candles = await src.fetchCandles('BTC', '1h', since, until);
    expect(candles).toHaveLength(2500);
    expect(candles[0].t).toBe(since);
    expect(candles[2499].t).toBe(until - HOUR);
    for (let i = 1; i < candles.length; i++) expect(candles[i].t - candles[i - 1].t).toBe(HOUR);
    for (const k of [candles[0], candles[999], candles[1000], candles[2499]]) {
      expect(k.c).toBe(fake.closeAt('BTCUSDT', '1h', k.t));
    }
    const pages = klineRequests();
    expect(pages.map((r) => Number(r.query.startTime))).toEqual([since, since + 1000 * HOUR, since + 2000 * HOUR]);
    expect(pages.map((r) => r.query.limit)).toEqual(['1000', '1000', '500']);
    expect(pages.every((r) => r.query.symbol === 'BTCUSDT' && r.query.interval === '1h')).toBe(true);
  });

  it('delivers, aligned, exactly the closes of the generator: the correlation computed independently matches', async () => {
    const since = ORIGIN + 24 * HOUR;
    const aligned = await loadAligned(source(), ['BTC', 'ETH', 'SOL'], '1h', since, since + 1500 * HOUR);
    // SOL is listed on 2024-02-01: the join starts there.
    expect(aligned.report.lateStarters).toEqual([{ symbol: 'SOL', firstBar: '2024-02-01T00:00:00Z' }]);
    const first = Date.UTC(2024, 1, 1);
    expect(aligned.timestamps[0]).toBe(first);
    expect(aligned.timestamps.length).toBe((since + 1500 * HOUR - first) / HOUR);
    const logReturns = (c: Float64Array) => Array.from(c.subarray(1), (v, i) => Math.log(v / c[i]));
    const walk = createWalk(7, { origin: ORIGIN });
    const i0 = (first - ORIGIN) / HOUR;
    const expected = (id: string) => Array.from({ length: aligned.timestamps.length - 1 }, (_, k) => walk.logReturn(id, HOUR, i0 + k + 1));
    const rho = (x: number[], y: number[]) => {
      const m = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const [mx, my] = [m(x), m(y)];
      let [sxy, sxx, syy] = [0, 0, 0];
      x.forEach((_, i) => {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) ** 2;
        syy += (y[i] - my) ** 2;
      });
      return sxy / Math.sqrt(sxx * syy);
    };
    const got = rho(logReturns(aligned.closes[0]), logReturns(aligned.closes[1]));
    expect(got).toBeCloseTo(rho(expected('BTCUSDT'), expected('ETHUSDT')), 9);
    expect(got).toBeGreaterThan(0.25); // beta 0.6: about 0.36
    expect(got).toBeLessThan(0.47);
  });

  it('returns only closed bars: the bar in progress at now is left out', async () => {
    const src = source();
    const candles = await src.fetchCandles('ETH', '1h', Date.UTC(2024, 4, 31, 14), NOW + 10 * HOUR);
    expect(candles.at(-1)!.t).toBe(Date.UTC(2024, 4, 31, 23));
    expect(candles).toHaveLength(10);
    for (const k of candles) expect(k.t + HOUR).toBeLessThanOrEqual(NOW);
  });

  it('starts at the listing of a late market', async () => {
    const candles = await source().fetchCandles('SOL', '1d', ORIGIN, Date.UTC(2024, 1, 5));
    expect(candles.map((k) => k.t)).toEqual([1, 2, 3, 4].map((d) => Date.UTC(2024, 1, d)));
  });

  it('retries a 429 with backoff honouring Retry-After, then succeeds', async () => {
    fake.setBehavior('/api/v3/klines', { rateLimit: 2, retryAfterSec: 1 });
    const candles = await source().fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 24 * HOUR);
    expect(candles).toHaveLength(24);
    expect(klineRequests().map((r) => r.status)).toEqual([429, 429, 200]);
    expect(sleeps).toHaveLength(2);
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(1000);
  });

  it('backs off exponentially when the server gives no wait', async () => {
    fake.setBehavior('/api/v3/klines', { serverError: 3 });
    await source().fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 24 * HOUR);
    // base 100 ms doubling, jitter factor 0.5 + 0.5 * 0.5.
    expect(sleeps).toEqual([75, 150, 300]);
  });

  it('gives up on a persistent 429 with a retryable rate_limited error', async () => {
    fake.setBehavior('/api/v3/klines', { rateLimit: 100, retryAfterSec: 1 });
    const e = await caught(source({ maxRetries: 2 }).fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 24 * HOUR));
    expect(e).toBeInstanceOf(SourceError);
    const se = e as SourceError;
    expect(se.code).toBe('rate_limited');
    expect(se.retryable).toBe(true);
    expect(se.message).toContain('binance');
    expect(se.message).toContain('gave up after 3 attempts');
    expect(se.message).not.toMatch(/\n|http:|at .*\.js/);
    expect(klineRequests()).toHaveLength(3);
  });

  it('does not wait for a Retry-After longer than a minute', async () => {
    fake.setBehavior('/api/v3/klines', { rateLimit: 100, retryAfterSec: 3600, rateLimitStatus: 418 });
    const e = (await caught(source().fetchCandles('BTC', '1h', ORIGIN, ORIGIN + HOUR))) as SourceError;
    expect(e.code).toBe('rate_limited');
    expect(e.message).toContain('wait 3600s');
    expect(klineRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('maps a request timeout to a retryable timeout error', async () => {
    fake.setBehavior('/api/v3/klines', { delayMs: 2_000 });
    const e = (await caught(source({ timeout: 150, maxRetries: 1 }).fetchCandles('BTC', '1h', ORIGIN, ORIGIN + HOUR))) as SourceError;
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('timeout');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('binance did not answer within 150 ms');
    expect(klineRequests()).toHaveLength(2);
  });

  it('maps a 500 with a text body to unavailable (retried)', async () => {
    fake.setBehavior('/api/v3/klines', { serverError: 100 });
    const e = (await caught(source({ maxRetries: 1 }).fetchCandles('BTC', '1h', ORIGIN, ORIGIN + HOUR))) as SourceError;
    expect(e.code).toBe('unavailable');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/^binance is unavailable \(HTTP 500\)/);
    expect(klineRequests()).toHaveLength(2);
  });

  it('maps a Binance {code:-1000} to bad_response without retrying', async () => {
    fake.setBehavior('/api/v3/klines', { serverError: 100, serverErrorBody: 'binance' });
    const e = (await caught(source().fetchCandles('BTC', '1h', ORIGIN, ORIGIN + HOUR))) as SourceError;
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('bad_response');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('binance');
    expect(e.message).toContain('-1000');
    expect(klineRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('refuses an unknown symbol with a suggestion, without asking for klines', async () => {
    const e = await caught(source().fetchCandles('BTCX', '1h', ORIGIN, ORIGIN + HOUR));
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe('unknown_symbol');
    expect((e as UserError).message).toBe('BTCX is not listed on binance; did you mean BTC?');
    const far = (await caught(source().resolveSymbol('QQQQQQ'))) as UserError;
    expect(far.message).toBe('QQQQQQ is not listed on binance (spot, quoted in USDT)');
    expect(klineRequests()).toHaveLength(0);
  });

  it('passes a bar whose close is no number on with a NaN close, which the alignment leaves out like a missing bar', async () => {
    // It used to fail the whole fetch (bad_response), so a basket failed on every tick while the bar was in its range.
    const bad = ORIGIN + 5 * HOUR;
    spoilRows = (_id, rows) => rows.map((r) => (r[0] === bad ? [...r.slice(0, 4), 'NaN', ...r.slice(5)] : r));
    const candles = await source().fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 10 * HOUR);
    expect(candles.map((k) => k.t)).toEqual(Array.from({ length: 10 }, (_, i) => ORIGIN + i * HOUR));
    expect(candles.filter((k) => !Number.isFinite(k.c)).map((k) => k.t)).toEqual([bad]);
    const aligned = await loadAligned(source(), ['BTC', 'ETH'], '1h', ORIGIN, ORIGIN + 10 * HOUR);
    expect(aligned.timestamps).toHaveLength(9);
    expect(aligned.report.notes).toContain('BTC: 1 bar left out, the close not a positive number (NaN at 2024-01-01T05:00:00Z)');
  });

  it('a market delisted after the markets were loaded: unknown_symbol, naming the market', async () => {
    const other = await startFakeExchange({ seed: 7, origin: ORIGIN, now: () => NOW, markets: [{ base: 'BTC', quote: 'USDT' }, { base: 'ETH', quote: 'USDT' }] });
    try {
      const delisting = source({ baseUrl: other.baseUrl });
      expect(await delisting.listSymbols()).toEqual(['BTC', 'ETH']);
      other.delist('ETHUSDT');
      const e = (await caught(delisting.fetchCandles('ETH', '1h', ORIGIN, ORIGIN + HOUR))) as UserError;
      expect(e).toBeInstanceOf(UserError);
      expect(e.code).toBe('unknown_symbol');
      expect(e.message).toBe('binance does not list that market ({"code":-1121,"msg":"Invalid symbol."}) while fetching ETH/USDT 1h candles from 2024-01-01T00:00:00Z');
    } finally {
      await other.close();
    }
  });

  it('refuses a timeframe the exchange does not offer, listing those it does', async () => {
    for (const tf of ['2m', '1M']) {
      const e = (await caught(source().fetchCandles('BTC', tf, ORIGIN, ORIGIN + HOUR))) as UserError;
      expect(e).toBeInstanceOf(UserError);
      expect(e.code).toBe('unsupported_timeframe');
      expect(e.message).toContain(`binance does not offer ${tf} candles`);
      expect(e.message).toContain('1m, 3m, 5m');
    }
    expect(klineRequests()).toHaveLength(0);
  });

  it('retries loading the markets after a failure (ccxt keeps a failed load otherwise)', async () => {
    fake.setBehavior('/api/v3/exchangeInfo', { serverError: 1 });
    const src = source({ maxRetries: 0 });
    const e = (await caught(src.listSymbols())) as SourceError;
    expect(e.code).toBe('unavailable');
    expect(e.message).toContain('loading its markets');
    expect(await src.listSymbols()).toContain('BTC');
    expect(fake.requests.filter((r) => r.path === '/api/v3/exchangeInfo').map((r) => r.status)).toEqual([500, 200]);
  });

  it('names an unknown exchange and suggests the nearest id', async () => {
    const e = (await caught(createCcxtSource({ exchangeId: 'binanse' }).listSymbols())) as SourceError;
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('unknown_exchange');
    expect(e.message).toMatch(/^unknown exchange "binanse"; did you mean binance\?/);
  });

  it('maps a refused connection to a retryable network error', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const src = source({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const e = (await caught(src.listSymbols())) as SourceError;
    expect(e.code).toBe('network');
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/^cannot reach binance while loading its markets/);
    expect(e.message).not.toContain('http://');
  });
});

/** Resolves when `cond` holds (checked every 10 ms; the fake records a request as soon as it arrives). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !cond(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('aborting ccxt calls (graceful stop, issue 10)', () => {
  it('an abort during a 429 retry wait rejects promptly with code aborted and asks no more', async () => {
    // The exchange asks for 30 s: a real wait, which only the abort can cut short.
    fake.setBehavior('/api/v3/klines', { rateLimit: 100, retryAfterSec: 30 });
    let waiting!: (ms: number) => void;
    const inWait = new Promise<number>((r) => (waiting = r));
    const src = source({
      sleep: (ms, signal) => {
        waiting(ms);
        return realSleep(ms, signal);
      },
    });
    const ac = new AbortController();
    const p = caught(src.fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 24 * HOUR, { signal: ac.signal }));
    expect(await inWait).toBeGreaterThanOrEqual(30_000);
    const t0 = performance.now();
    ac.abort(new Error('corrwatch is stopping'));
    const e = (await p) as SourceError;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('aborted');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/^cancelled while fetching BTC\/USDT 1h candles from 2024-01-01T00:00:00Z: corrwatch is stopping$/);
    expect(klineRequests().map((r) => r.status)).toEqual([429]);
  });

  it('an abort while a page is in flight gives up on it at once and starts no further page', async () => {
    const delayMs = 400;
    fake.setBehavior('/api/v3/klines', { delayMs });
    const src = source();
    await src.listSymbols();
    const ac = new AbortController();
    // 2500 bars: three pages, the first in flight when the abort comes.
    const p = caught(src.fetchCandles('BTC', '1h', ORIGIN, ORIGIN + 2500 * HOUR, { signal: ac.signal }));
    await until(() => klineRequests().length === 1, 'the first page request');
    ac.abort();
    const e = (await p) as SourceError;
    expect(e.code).toBe('aborted');
    expect(e.message).toMatch(/^cancelled while fetching BTC\/USDT 1h candles from .*: the call was aborted$/);
    // The abandoned answer arrives later and is ignored: still no second page.
    await new Promise((r) => setTimeout(r, delayMs + 300));
    expect(klineRequests()).toHaveLength(1);
  });

  it('an aborted signal: no request at all, and the markets load others wait for is not cancelled', async () => {
    fake.setBehavior('/api/v3/exchangeInfo', { delayMs: 300 });
    const src = source();
    const ac = new AbortController();
    const waiting = caught(src.resolveSymbol('BTC', { signal: ac.signal }));
    const other = src.listSymbols();
    await until(() => fake.requests.some((r) => r.path === '/api/v3/exchangeInfo'), 'the markets request');
    ac.abort();
    expect(await waiting).toMatchObject({ code: 'aborted', message: 'cancelled while loading its markets: the call was aborted' });
    expect(await other).toContain('BTC');
    expect(await caught(src.fetchCandles('BTC', '1h', ORIGIN, ORIGIN + HOUR, { signal: ac.signal }))).toMatchObject({ code: 'aborted' });
    expect(klineRequests()).toHaveLength(0);
  });
});

describe('ccxt helpers', () => {
  it('sanitizes ccxt messages: one line, no URL or credentials', () => {
    const raw = 'binance GET https://api.binance.com/api/v3/account?apiKey=SECRETKEY&signature=abcdef 401 Unauthorized {"code":-2015}\n    at Exchange.fetch (x.js:1:1)';
    const s = sanitizeMessage(raw, 'binance');
    expect(s).toBe('401 Unauthorized {"code":-2015}');
    expect(s).not.toContain('SECRETKEY');
  });

  it('rewrites the host of every API URL, nested ones too', () => {
    expect(rewriteApiUrls({ public: 'https://api.binance.com/api/v3', nested: { a: 'https://x.y/z/' } }, 'http://127.0.0.1:9/')).toEqual({
      public: 'http://127.0.0.1:9/api/v3',
      nested: { a: 'http://127.0.0.1:9/z/' },
    });
  });
});
