/**
 * Issue 11, fault tests, "Exchange": the faults an exchange throws at the watcher, end to end — HTTP answers of the
 * fake Binance (test/fakes/fake-exchange.ts) through the real ccxt, the ccxt source, the candle cache, the real
 * Watcher and its outbox — over three baskets whose middle one is broken: 429 bursts, 500s, timeouts, a symbol
 * delisted mid-run (klines answer Invalid symbol) or that stops trading (klines answer nothing new), gaps,
 * out-of-order and repeated rows, NaN and zero closes. The other baskets tick; the broken one says which symbol and
 * what happened (tick report, runtime lastError, one warning line, no stack); `stale` comes exactly alerts.staleBars
 * expected bars after the last bar (a non-default 4 here) and not before; `recovered` when the bars come back.
 *
 * Covered elsewhere, not repeated here:
 * - test/market/ccxt-source.test.ts: each HTTP fault mapped to its error on one fetch (429 and Retry-After, backoff,
 *   giving up, a Retry-After over a minute, timeouts, 500 text vs Binance -1000, refused connections, unknown
 *   symbols, late listings, pagination, aborts); test/market/retry.test.ts: the retry loop itself.
 * - test/scheduler/watcher.test.ts ("failures of the market source", "missing data"): with an in-memory market, a
 *   throwing basket beside a healthy one, stale after the default staleBars for a feed that stops, a permanent hole
 *   and a source that keeps failing, `recovered`, never `resolved`, aborted ticks; watcher-calendar.test.ts: no
 *   stale for weekends and holidays.
 * - test/reliability/bad-candles.test.ts: out-of-order, repeated and NaN/0/negative/infinite closes from a
 *   MarketSource; test/market/align.test.ts and candle-cache*.test.ts: how alignment and the cache treat them.
 *
 * No sleeps: one clock drives the fake exchange, the source, the cache and the watcher; retry waits are recorded,
 * not slept, and ccxt's rate limiter is turned down; only the timeouts take real time (250 ms each, real sockets).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertReply } from '../../src/alerts/alert-reply.js';
import type { Config } from '../../src/config/schema.js';
import type { Calendar } from '../../src/domain/calendar.js';
import type { Clock } from '../../src/domain/ports.js';
import { isoTime } from '../../src/domain/timeframe.js';
import { MemoryCandleCache, withCandleCache } from '../../src/market/candle-cache.js';
import { createCcxtSource } from '../../src/market/ccxt-source.js';
import { Watcher, type TickReport } from '../../src/scheduler/watcher.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { createWalk, startFakeExchange, type FakeExchange, type FakeMarket as Listing } from '../fakes/fake-exchange.js';
import { basket, CapturingNotifier, capturingLogger, config as defaults, FakeMarket, Harness, subscribe } from '../scheduler/fakes.js';

const H = 3_600_000;
const ORIGIN = Date.UTC(2024, 0, 1);
const STALE_BARS = 4;
/** market.timeout where a test makes the exchange slow; 2 s elsewhere, so that a loaded machine cannot time out by itself. */
const TIMEOUT_MS = 250;
const RETRIES = 2;
const config: Config = { ...defaults, alerts: { ...defaults.alerts, staleBars: STALE_BARS } };
const nowAfter = (k: number) => ORIGIN + k * H + 60_000;
const bar = (k: number) => ORIGIN + k * H;
/** The first tick: bars 0 .. 699 closed, the history a basket replays (about 580 bars) is there. */
const FIRST = 700;

const BASKETS: Record<string, string[]> = {
  alpha: ['AAA', 'BBB', 'CCC'],
  broken: ['DDD', 'EEE', 'FFF'],
  omega: ['GGG', 'HHH', 'III'],
};

interface Rig {
  fake: FakeExchange;
  watcher: Watcher;
  store: MemoryStore;
  log: ReturnType<typeof capturingLogger>;
  slack: CapturingNotifier;
  sleeps: number[];
  /** Per market id: bars from this open time on are never served (the listing stays). */
  silentFrom: Map<string, number>;
  /** Per market id and open time: a close served instead of the walk's. */
  closes: Map<string, Map<number, number>>;
  /** Per market id: open times never served (a gap). */
  holes: Map<string, Set<number>>;
  /** Tick the watcher one minute after bar k − 1 closed (the fake exchange's clock moves with it). */
  tick(k: number): Promise<TickReport>;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) await r.fake.close();
  rigs = [];
});

interface RigOptions {
  klineRows?: (id: string, rows: unknown[][]) => unknown[][];
  timeout?: number;
  maxRetries?: number;
}

async function rig(opts: RigOptions = {}): Promise<Rig> {
  let now = 0;
  const clock: Clock = { now: () => now };
  const walk = createWalk(5, { origin: ORIGIN });
  const silentFrom = new Map<string, number>();
  const closes = new Map<string, Map<number, number>>();
  const holes = new Map<string, Set<number>>();
  const markets: Listing[] = Object.values(BASKETS).flat().map((base) => ({ base, quote: 'USDT' }));
  const fake = await startFakeExchange({
    markets,
    now: () => now,
    klineRows: opts.klineRows,
    klines: (id, t, ms) => {
      if (t < ORIGIN || t % ms !== 0 || t >= (silentFrom.get(id) ?? Infinity) || holes.get(id)?.has(t)) return undefined;
      const i = (t - ORIGIN) / ms;
      const c = closes.get(id)?.get(t) ?? walk.closeAtIndex(id, ms, i);
      const o = i === 0 ? c : walk.closeAtIndex(id, ms, i - 1);
      return { o, h: Math.max(o, c) * 1.001, l: Math.min(o, c) * 0.999, c, v: 100 };
    },
  });
  const sleeps: number[] = [];
  const source = createCcxtSource({
    exchangeId: 'binance',
    baseUrl: fake.baseUrl,
    clock,
    timeout: opts.timeout ?? 2_000,
    maxRetries: opts.maxRetries ?? RETRIES,
    // ccxt's limiter would space the requests 20 ms apart (binance's weights): not what is tested here.
    rateLimit: 1,
    retryBaseMs: 10,
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
  });
  const store = new MemoryStore();
  await store.open([]);
  for (const [name, symbols] of Object.entries(BASKETS)) {
    await store.putBasket(basket(name, symbols));
    await subscribe(store, name, 'slack', 'C1');
  }
  const log = capturingLogger();
  const slack = new CapturingNotifier('slack');
  const watcher = new Watcher({
    store,
    market: withCandleCache(source, new MemoryCandleCache(), clock),
    config,
    clock,
    log,
    notifiers: [slack],
    renderAlert: async (record) => alertReply(record),
  });
  const r: Rig = {
    fake,
    watcher,
    store,
    log,
    slack,
    sleeps,
    silentFrom,
    closes,
    holes,
    async tick(k) {
      now = nowAfter(k);
      const report = await watcher.tick(now);
      if (!report) throw new Error(`tick at bar ${k} refused`);
      return report;
    },
  };
  rigs.push(r);
  return r;
}

const of = (r: TickReport, name: string) => r.baskets.find((b) => b.basket === name)!;

/** The healthy baskets of a tick each took exactly one new bar, without error. */
function othersTicked(r: TickReport): void {
  for (const name of ['alpha', 'omega']) {
    expect(of(r, name), name).toMatchObject({ newBars: 1, notifications: [] });
    expect(of(r, name).error, name).toBeUndefined();
    expect(of(r, name).regime, name).toBeDefined();
  }
}

describe('transient faults within the retry budget', () => {
  it('a burst of 429s, then of 500s, then one slow answer: every basket gets its bar, nothing is reported, Retry-After is waited', async () => {
    const r = await rig({ timeout: TIMEOUT_MS });
    await r.tick(FIRST);
    const steps: [string, Parameters<FakeExchange['setBehavior']>[1]][] = [
      ['429 burst', { rateLimit: RETRIES, retryAfterSec: 2 }],
      ['500 burst', { serverError: RETRIES }],
      // Only the first attempt is slow: the retry is answered at once.
      ['a timeout', { delayMs: TIMEOUT_MS * 3, delayNext: 1, symbols: ['EEEUSDT'] }],
    ];
    let k = FIRST;
    for (const [what, behavior] of steps) {
      r.fake.setBehavior('/api/v3/klines', behavior);
      r.sleeps.length = 0;
      const from = r.fake.requests.length;
      const t = await r.tick(++k);
      r.fake.setBehavior('/api/v3/klines', null);
      for (const name of Object.keys(BASKETS)) {
        expect(of(t, name), `${what}: ${name}`).toMatchObject({ newBars: 1, notifications: [] });
        expect(of(t, name).error, `${what}: ${name}`).toBeUndefined();
      }
      const statuses = r.fake.requests.slice(from).map((q) => q.status);
      if (what === '429 burst') {
        expect(statuses.filter((s) => s === 429)).toHaveLength(RETRIES);
        expect(r.sleeps.every((ms) => ms >= 2000)).toBe(true);
      }
      if (what === '500 burst') expect(statuses.filter((s) => s === 500)).toHaveLength(RETRIES);
      // The slow first answer was given up (ccxt's timeout) and asked again.
      if (what === 'a timeout') expect(r.fake.requests.slice(from).filter((q) => q.query.symbol === 'EEEUSDT')).toHaveLength(2);
    }
    expect(r.log.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });
});

interface Fault {
  name: string;
  /** Break EEE (in basket `broken`) from now on. */
  start(r: Rig, k: number): void;
  /** Undo it; undefined: it stays (a delisting). */
  lift?(r: Rig): void;
  errorKind: string;
  /** What the basket's status says (it always names EEE). */
  message: RegExp;
  rig?: RigOptions;
}

const persistent = (behavior: Parameters<FakeExchange['setBehavior']>[1]) => ({
  start: (r: Rig) => r.fake.setBehavior('/api/v3/klines', { symbols: ['EEEUSDT'], ...behavior }),
  lift: (r: Rig) => r.fake.setBehavior('/api/v3/klines', null),
});

const FAULTS: Fault[] = [
  {
    name: '429s that do not let up',
    ...persistent({ rateLimit: 1_000_000, retryAfterSec: 1 }),
    errorKind: 'rate_limited',
    message: /^binance is rate-limiting corrwatch \(HTTP 429\) while fetching EEE\/USDT 1h candles from \S+; gave up after 3 attempts$/,
  },
  {
    name: 'HTTP 500 on every request',
    ...persistent({ serverError: 1_000_000 }),
    errorKind: 'unavailable',
    message: /^binance is unavailable \(HTTP 500\) while fetching EEE\/USDT 1h candles from \S+; gave up after 3 attempts$/,
  },
  {
    name: 'no answer within market.timeout',
    ...persistent({ delayMs: 4 * TIMEOUT_MS }),
    // One attempt a tick: each waits out the timeout for real.
    rig: { timeout: TIMEOUT_MS, maxRetries: 0 },
    errorKind: 'timeout',
    message: new RegExp(`^binance did not answer within ${TIMEOUT_MS} ms while fetching EEE/USDT 1h candles from \\S+$`),
  },
  {
    name: 'delisted mid-run (gone from the markets, klines answer Invalid symbol)',
    start: (r) => r.fake.delist('EEEUSDT'),
    errorKind: 'unknown_symbol',
    message: /^binance does not list that market \(\{"code":-1121,"msg":"Invalid symbol\."\}\) while fetching EEE\/USDT 1h candles from \S+$/,
  },
  {
    name: 'stops trading (still listed, klines have nothing new)',
    start: (r, k) => r.silentFrom.set('EEEUSDT', bar(k - 1)),
    lift: (r) => r.silentFrom.delete('EEEUSDT'),
    errorKind: 'no_new_bar',
    message: new RegExp(`^no new bar: EEE has none after ${isoTime(bar(FIRST - 1))} \\(the other symbols have newer bars\\)$`),
  },
];

describe('a fault that lasts: the other baskets tick, the broken one says what happened, stale after exactly staleBars bars', () => {
  for (const fault of FAULTS) {
    it(fault.name, async () => {
      const r = await rig(fault.rig);
      await r.tick(FIRST);
      const lastBar = bar(FIRST - 1);
      fault.start(r, FIRST + 1);
      const notified: [number, string[]][] = [];
      // The last bar seen closed at FIRST: staleBars expected bars later (FIRST + staleBars closed) is overdue.
      for (let k = FIRST + 1; k <= FIRST + STALE_BARS + 2; k++) {
        const t = await r.tick(k);
        othersTicked(t);
        const b = of(t, 'broken');
        expect(b.newBars, `tick ${k}`).toBe(0);
        expect(b.errorKind, `tick ${k}`).toBe(fault.errorKind);
        expect(b.error, `tick ${k}`).toMatch(fault.message);
        expect(b.error).not.toMatch(/\n|\bat \S+\.[jt]s|https?:/);
        expect((await r.store.getRuntime('broken'))!.lastError).toEqual({ at: nowAfter(k), message: b.error });
        if (b.notifications.length) notified.push([k, b.notifications]);
      }
      expect(notified).toEqual([[FIRST + STALE_BARS, ['stale']]]);
      const stale = r.slack.sent.filter((m) => m.kind === 'stale');
      expect(stale.map((m) => m.id)).toEqual([`broken:0:stale:${lastBar}`]);
      // One warning per tick for the basket, with the message (no stack); nothing logged as an error.
      const warned = r.log.lines.filter((l) => l.ctx?.basket === 'broken');
      expect(warned).toHaveLength(STALE_BARS + 2);
      for (const l of warned) expect([l.level, typeof l.ctx?.error]).toEqual(['warn', 'string']);
      expect(r.log.lines.filter((l) => l.level === 'error')).toEqual([]);
      if (!fault.lift) return;
      fault.lift(r);
      const back = await r.tick(FIRST + STALE_BARS + 3);
      othersTicked(back);
      expect(of(back, 'broken')).toMatchObject({ newBars: STALE_BARS + 3, notifications: ['recovered'] });
      expect(of(back, 'broken').error).toBeUndefined();
      expect((await r.store.getRuntime('broken'))!.lastError).toBeUndefined();
    });
  }
});

describe('bad candles through ccxt', () => {
  it('rows out of order and repeated in every answer: the same bars, readings and alerts as a clean exchange', async () => {
    const clean = await rig();
    const messy = await rig({ klineRows: (_id, rows) => [...rows].reverse().concat(rows.slice(0, 2)) });
    for (let k = FIRST; k <= FIRST + 3; k++) {
      const [a, b] = [await clean.tick(k), await messy.tick(k)];
      expect(b.baskets).toEqual(a.baskets);
      for (const x of b.baskets) expect(x.error).toBeUndefined();
    }
    for (const name of Object.keys(BASKETS)) {
      expect((await messy.store.getRuntime(name))!.history).toEqual((await clean.store.getRuntime(name))!.history);
    }
  });

  it('NaN and zero closes, in the history replayed and arriving live, and a one-bar gap: left out like missing bars, every basket goes on, no stale', async () => {
    const r = await rig();
    const spoil = (id: string, k: number, c: number) => {
      if (!r.closes.has(id)) r.closes.set(id, new Map());
      r.closes.get(id)!.set(bar(k), c);
    };
    spoil('EEEUSDT', FIRST - 50, Number.NaN); // in the first tick's replay
    spoil('EEEUSDT', FIRST + 2, Number.NaN); // the newest bar at tick FIRST + 3
    spoil('HHHUSDT', FIRST + 3, 0);
    r.holes.set('BBBUSDT', new Set([bar(FIRST + 4)]));
    const first = await r.tick(FIRST);
    for (const b of first.baskets) expect([b.basket, b.error, b.regime !== undefined]).toEqual([b.basket, undefined, true]);
    const status: [number, string, string | undefined][] = [];
    for (let k = FIRST + 1; k <= FIRST + 8; k++) {
      const t = await r.tick(k);
      for (const b of t.baskets) {
        expect(b.notifications, `${b.basket} at ${k}`).toEqual([]);
        if (b.error) status.push([k, b.basket, b.error]);
      }
    }
    // Each bad bar holds its basket back for the one tick where it is the newest, and the status says whose bar it is.
    const after = (k: number) => isoTime(bar(k));
    expect(status).toEqual([
      [FIRST + 3, 'broken', `no new bar: EEE has none after ${after(FIRST + 1)} (the other symbols have newer bars)`],
      [FIRST + 4, 'omega', `no new bar: HHH has none after ${after(FIRST + 2)} (the other symbols have newer bars)`],
      [FIRST + 5, 'alpha', `no new bar: BBB has none after ${after(FIRST + 3)} (the other symbols have newer bars)`],
    ]);
    for (const name of Object.keys(BASKETS)) expect((await r.store.getRuntime(name))!.lastError).toBeUndefined();
    // No return spans a left-out bar: the bar after it has no reading either.
    const missing = async (name: string) => {
      const at = new Set((await r.store.getRuntime(name))!.history.map((p) => p.at));
      return [FIRST - 50, ...Array.from({ length: 9 }, (_, i) => FIRST - 1 + i)].filter((k) => !at.has(bar(k)));
    };
    expect(await missing('broken')).toEqual([FIRST - 50, FIRST + 2, FIRST + 3]);
    expect(await missing('omega')).toEqual([FIRST + 3, FIRST + 4]);
    expect(await missing('alpha')).toEqual([FIRST + 4, FIRST + 5]);
    expect(r.slack.sent).toEqual([]);
  });
});

describe('"no new bar" names a symbol only when its calendar expects a bar', () => {
  it('a weekday basket with one 24/7 symbol: nothing over the weekend; a weekday symbol that stops: named once the holiday allowance is past', async () => {
    const WEEK = 168;
    const weekend = (t: number) => Math.floor((t - ORIGIN) / (24 * H)) % 7 >= 5; // bar 0 is Monday 2024-01-01
    const market = new (class extends FakeMarket {
      async calendar(symbol: string): Promise<Calendar> {
        return symbol === 'BTC' ? 'continuous' : 'weekdays';
      }
    })().addGroup(['SPX', 'DAX', 'BTC'], 9 * WEEK, [{ from: 0, rho: 0.3, vol: 0.01 }], 7);
    const monday = 7 * WEEK;
    let daxUntil = Infinity;
    const fetch = market.fetchCandles.bind(market);
    market.fetchCandles = async (symbol, timeframe, since, until) =>
      (await fetch(symbol, timeframe, since, until)).filter((c) => (symbol === 'BTC' || !weekend(c.t)) && !(symbol === 'DAX' && c.t >= daxUntil));
    const store = new MemoryStore();
    await store.open([]);
    await store.putBasket(basket('eq', ['SPX', 'DAX', 'BTC']));
    // The watcher tests' harness (in-memory market, default config: staleBars 3); its bar 0 is this file's too.
    const h = new Harness(store, market);
    await h.tickAt(monday - 60); // Friday noon
    daxUntil = bar(monday + 5); // DAX's last bar: Monday 04:00
    const status: [number, string | undefined, string[]][] = [];
    for (let k = monday - 59; k <= monday + 33; k++) {
      const r = (await h.tickAt(k)).baskets[0];
      if (r.error || r.notifications.length) status.push([k, r.error, r.notifications]);
    }
    // Weekday calendar: a day of bars is allowed for a holiday before DAX is overdue (25 expected bars missing); the
    // stale alert comes staleBars (3) bars later, as on any weekday market.
    const named = `no new bar: DAX has none after ${isoTime(bar(monday + 4))} (the other symbols have newer bars)`;
    expect(status).toEqual([
      [monday + 30, named, []],
      [monday + 31, named, []],
      [monday + 32, named, ['stale']],
      [monday + 33, named, []],
    ]);
  });
});
