/**
 * A fake Binance spot REST API on 127.0.0.1 (port 0), for end-to-end tests of the real ccxt code.
 *
 * Endpoints: GET /api/v3/exchangeInfo, /api/v3/klines, /api/v3/ping, /api/v3/time. Klines follow Binance:
 * `symbol` and `interval` required, `startTime`/`endTime` inclusive bounds on the open time, `limit` default 500,
 * at most 1000 (more is a -1130 error), the bar in progress (open time <= now) is included like the real API.
 *
 * Candles come from a deterministic generator: by default a seeded one-factor random walk per market
 * (see `createWalk`), so a test can compute the expected closes, and hence the expected correlation, on its own.
 *
 * Behaviours (`setBehavior(path, ...)`, path like `/api/v3/klines` or `*`): answer 429/418 with Retry-After the next
 * k times, 500 (text body, or Binance JSON {code:-1000}) the next k times, delay every answer by d ms; optionally only
 * for requests naming some symbols. `delist(id)` removes a market mid-run (klines then answer -1121 like Binance), and
 * `klineRows` can reorder or repeat the rows of an answer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash32, mulberry32 } from '../../src/domain/random.js';

export interface FakeMarket {
  base: string;
  quote: string;
  /** Binance status; ccxt marks anything but TRADING inactive. */
  status?: string;
  /** Open time (ms) of the first bar; earlier bars do not exist (a late listing). */
  listedAt?: number;
}

export interface FakeKline {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

/** Candle of a market (Binance id, e.g. `BTCUSDT`) at a bar open time; undefined when there is no bar. */
export type KlineGenerator = (marketId: string, openTime: number, intervalMs: number) => FakeKline | undefined;

export interface FakeBehavior {
  /** Answer the next n requests with HTTP 429 (or `rateLimitStatus`) and a Retry-After header. */
  rateLimit?: number;
  retryAfterSec?: number;
  rateLimitStatus?: 429 | 418;
  /** Then answer the next n requests with HTTP 500. */
  serverError?: number;
  /** `text`: a plain text body (ccxt: ExchangeNotAvailable); `binance`: {"code":-1000,...} (ccxt: OperationFailed). */
  serverErrorBody?: 'text' | 'binance';
  /** Delay every answer on this path by this many ms. */
  delayMs?: number;
  /** Delay only the next n answers (then answer at once); default every answer. */
  delayNext?: number;
  /** Only requests whose `symbol` parameter is one of these (Binance ids, e.g. `BTCUSDT`) misbehave (and count down). */
  symbols?: string[];
}

export interface FakeExchangeOptions {
  /** Listed spot markets; default BTC ETH SOL BNB XRP ADA DOGE in USDT, ETH/BTC, BTC/EUR. */
  markets?: FakeMarket[];
  /** Seed of the default generator. */
  seed?: number;
  /** First bar of every market for the default generator (ms); default 2024-01-01T00:00:00Z. */
  origin?: number;
  /** Weight of the common factor in the default generator (pairwise correlation of returns ≈ beta²); default 0.6. */
  beta?: number;
  /** Replaces the default generator. */
  klines?: KlineGenerator;
  /** The exchange's clock: bars with open time after it do not exist yet. Default Date.now. */
  now?: () => number;
  /** Rewrites the rows of a klines answer before it is sent (out of order, repeated); rows are Binance arrays. */
  klineRows?: (marketId: string, rows: unknown[][]) => unknown[][];
}

export interface FakeRequest {
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeExchange {
  /** `http://127.0.0.1:PORT`: pass it as `baseUrl` to the ccxt source. */
  baseUrl: string;
  /** Every request received, in order (failed ones too). */
  requests: FakeRequest[];
  /** Set (replace) the behaviour of a path (`/api/v3/klines`) or of every path (`*`); null restores normal answers. */
  setBehavior(path: string, behavior: FakeBehavior | null): void;
  /** Delist a market (Binance id): gone from exchangeInfo, and its klines answer 400 {code:-1121, Invalid symbol}. */
  delist(marketId: string): void;
  /** The close the fake serves for a market id, interval and open time (undefined when no bar). */
  closeAt(marketId: string, interval: string, openTime: number): number | undefined;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_MARKETS: FakeMarket[] = [
  ...['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE'].map((base) => ({ base, quote: 'USDT' })),
  { base: 'ETH', quote: 'BTC' },
  { base: 'BTC', quote: 'EUR' },
];

export const DEFAULT_FAKE_ORIGIN = Date.UTC(2024, 0, 1);

/** Binance kline intervals in ms (1M is not served by the fake). */
export const BINANCE_INTERVALS: Record<string, number> = {
  '1s': 1_000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
};


function normals(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

export interface Walk {
  /** Close at bar `index` (0 = the first bar at or after the origin) of a market for an interval. */
  closeAtIndex(marketId: string, intervalMs: number, index: number): number;
  /** Log return of bar `index` (index >= 1). */
  logReturn(marketId: string, intervalMs: number, index: number): number;
  /** Open time of bar 0 for an interval (the origin rounded up to the interval). */
  firstBar(intervalMs: number): number;
}

/**
 * A seeded one-factor random walk: log return r_i = vol·(beta·f + sqrt(1−beta²)·e_i), f shared by all markets
 * of an interval, e_i per market; vol = 2% per day scaled by sqrt(interval/1d). Pairwise correlation of the
 * returns is beta² in expectation. Closes start at a price derived from the market id. Memoized per market
 * and interval, extended on demand, so the close of a bar never depends on the range requested.
 */
export function createWalk(seed: number, opts: { origin?: number; beta?: number } = {}): Walk {
  const origin = opts.origin ?? DEFAULT_FAKE_ORIGIN;
  const beta = opts.beta ?? 0.6;
  const idio = Math.sqrt(1 - beta * beta);
  const factors = new Map<number, { draw: () => number; values: number[] }>();
  const paths = new Map<string, { draw: () => number; logs: number[]; rets: number[] }>();

  const factor = (intervalMs: number, index: number): number => {
    let f = factors.get(intervalMs);
    if (!f) {
      f = { draw: normals(mulberry32(hash32(`${seed}|factor|${intervalMs}`))), values: [] };
      factors.set(intervalMs, f);
    }
    while (f.values.length <= index) f.values.push(f.draw());
    return f.values[index];
  };

  const path = (marketId: string, intervalMs: number, index: number) => {
    const key = `${marketId}|${intervalMs}`;
    let p = paths.get(key);
    if (!p) {
      const start = Math.log(1 + (hash32(`${seed}|price|${marketId}`) % 50_000) / 10);
      p = { draw: normals(mulberry32(hash32(`${seed}|${key}`))), logs: [start], rets: [0] };
      paths.set(key, p);
    }
    const vol = 0.02 * Math.sqrt(intervalMs / 86_400_000);
    while (p.logs.length <= index) {
      const i = p.logs.length;
      const r = vol * (beta * factor(intervalMs, i) + idio * p.draw());
      p.rets.push(r);
      p.logs.push(p.logs[i - 1] + r);
    }
    return p;
  };

  return {
    closeAtIndex: (marketId, intervalMs, index) => Math.exp(path(marketId, intervalMs, index).logs[index]),
    logReturn: (marketId, intervalMs, index) => path(marketId, intervalMs, index).rets[index],
    firstBar: (intervalMs) => Math.ceil(origin / intervalMs) * intervalMs,
  };
}

function walkGenerator(walk: Walk, markets: FakeMarket[]): KlineGenerator {
  const listedAt = new Map(markets.map((m) => [m.base + m.quote, m.listedAt ?? -Infinity]));
  return (marketId, openTime, intervalMs) => {
    const first = walk.firstBar(intervalMs);
    if (openTime < first || openTime % intervalMs !== 0 || openTime < (listedAt.get(marketId) ?? -Infinity)) return undefined;
    const index = (openTime - first) / intervalMs;
    const c = walk.closeAtIndex(marketId, intervalMs, index);
    const o = index === 0 ? c : walk.closeAtIndex(marketId, intervalMs, index - 1);
    return { o, h: Math.max(o, c) * 1.001, l: Math.min(o, c) * 0.999, c, v: 100 + (index % 17) };
  };
}

type Answer = { status: number; body: string; headers?: Record<string, string> };

const json = (status: number, value: unknown): Answer => ({
  status,
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});

const binanceError = (status: number, code: number, msg: string): Answer => json(status, { code, msg });

/** Start the fake on 127.0.0.1 with an OS-assigned port. Close it in afterAll. */
export async function startFakeExchange(opts: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const markets = [...(opts.markets ?? DEFAULT_FAKE_MARKETS)];
  const now = opts.now ?? (() => Date.now());
  const walk = createWalk(opts.seed ?? 1, { origin: opts.origin, beta: opts.beta });
  const generate = opts.klines ?? walkGenerator(walk, markets);
  const byId = new Map(markets.map((m) => [m.base + m.quote, m]));
  const behaviors = new Map<string, FakeBehavior>();
  const requests: FakeRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const exchangeInfo = (): Answer =>
    json(200, {
      timezone: 'UTC',
      serverTime: now(),
      rateLimits: [],
      exchangeFilters: [],
      symbols: markets.map((m) => ({
        symbol: m.base + m.quote,
        status: m.status ?? 'TRADING',
        baseAsset: m.base,
        baseAssetPrecision: 8,
        quoteAsset: m.quote,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        orderTypes: ['LIMIT', 'MARKET'],
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        permissions: [],
        permissionSets: [['SPOT']],
        filters: [],
      })),
    });

  const klines = (q: Record<string, string>): Answer => {
    const market = q.symbol === undefined ? undefined : byId.get(q.symbol);
    if (!market) return binanceError(400, -1121, 'Invalid symbol.');
    const intervalMs = BINANCE_INTERVALS[q.interval ?? ''];
    if (intervalMs === undefined) return binanceError(400, -1120, 'Invalid interval.');
    const limit = q.limit === undefined ? 500 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return binanceError(400, -1130, "Data sent for parameter 'limit' is not valid.");
    }
    const nowBar = Math.floor(now() / intervalMs) * intervalMs;
    const endTime = Math.min(q.endTime === undefined ? Infinity : Number(q.endTime), nowBar);
    let rows: unknown[][] = [];
    const row = (t: number, k: FakeKline) => [
      t,
      String(k.o),
      String(k.h),
      String(k.l),
      String(k.c),
      String(k.v),
      t + intervalMs - 1,
      String(k.v * k.c),
      10,
      '0',
      '0',
      '0',
    ];
    if (q.startTime !== undefined) {
      let t = Math.ceil(Number(q.startTime) / intervalMs) * intervalMs;
      // Skip the stretch before the listing quickly: the generator answers undefined there.
      const first = Math.max(walk.firstBar(intervalMs), market.listedAt ?? -Infinity);
      if (opts.klines === undefined && t < first) t = Math.ceil(first / intervalMs) * intervalMs;
      for (; t <= endTime && rows.length < limit; t += intervalMs) {
        const k = generate(q.symbol, t, intervalMs);
        if (k) rows.push(row(t, k));
      }
    } else {
      // Without startTime Binance answers the latest `limit` bars up to endTime.
      for (let t = Math.floor(endTime / intervalMs) * intervalMs, n = 0; n < limit; t -= intervalMs, n++) {
        const k = generate(q.symbol, t, intervalMs);
        if (!k) break;
        rows.unshift(row(t, k));
      }
    }
    if (opts.klineRows) rows = opts.klineRows(q.symbol, rows);
    return json(200, rows);
  };

  const route = (path: string, q: Record<string, string>): Answer => {
    switch (path) {
      case '/api/v3/ping':
        return json(200, {});
      case '/api/v3/time':
        return json(200, { serverTime: now() });
      case '/api/v3/exchangeInfo':
        return exchangeInfo();
      case '/api/v3/klines':
        return klines(q);
      default:
        return binanceError(404, -1, `fake exchange: no route ${path}`);
    }
  };

  /** The behaviour's answer for this request, consuming one of its counters; undefined for a normal answer. */
  const misbehave = (b: FakeBehavior | undefined, query: Record<string, string>): Answer | undefined => {
    if (!b || (b.symbols && !b.symbols.includes(query.symbol ?? ''))) return undefined;
    if (b.rateLimit && b.rateLimit > 0) {
      b.rateLimit--;
      const status = b.rateLimitStatus ?? 429;
      return {
        ...binanceError(status, -1003, 'Too many requests; current limit is 6000 request weight per 1 MINUTE.'),
        headers: { 'content-type': 'application/json', 'retry-after': String(b.retryAfterSec ?? 1) },
      };
    }
    if (b.serverError && b.serverError > 0) {
      b.serverError--;
      if (b.serverErrorBody === 'binance') {
        return binanceError(500, -1000, 'An unknown error occurred while processing the request.');
      }
      return { status: 500, body: 'Internal Server Error', headers: { 'content-type': 'text/plain' } };
    }
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const behavior = behaviors.get(url.pathname) ?? behaviors.get('*');
    let answer: Answer;
    if (req.method !== 'GET') answer = binanceError(405, -1, 'fake exchange: GET only');
    else answer = misbehave(behavior, query) ?? route(url.pathname, query);
    requests.push({ path: url.pathname, query, status: answer.status });
    const send = () => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body);
    };
    let delay = behavior && (!behavior.symbols || behavior.symbols.includes(query.symbol ?? '')) ? (behavior.delayMs ?? 0) : 0;
    if (delay > 0 && behavior?.delayNext !== undefined) delay = behavior.delayNext-- > 0 ? delay : 0;
    if (delay <= 0) send();
    else {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, delay);
      timers.add(timer);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    setBehavior(path, behavior) {
      if (behavior === null) behaviors.delete(path);
      else behaviors.set(path, { ...behavior });
    },
    delist(marketId) {
      byId.delete(marketId);
      const i = markets.findIndex((m) => m.base + m.quote === marketId);
      if (i >= 0) markets.splice(i, 1);
    },
    closeAt(marketId, interval, openTime) {
      const ms = BINANCE_INTERVALS[interval];
      return ms === undefined ? undefined : generate(marketId, openTime, ms)?.c;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
