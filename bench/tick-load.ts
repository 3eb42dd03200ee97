// Issue 11 load: one watcher tick at 50 baskets × 20 assets (1000 distinct markets, hourly bars) through the real
// ccxt source against the fake exchange, behind the real on-disk candle cache (buildMarketSource, as `corrwatch start`
// builds it) and the real LowdbStore in a temp dir. The fake runs in its own process (its CPU and memory are not
// this process's), on a clock this bench moves: the first tick (the history replay), then a steady tick one hour
// later (one new bar per market). Reports each tick's time, exchange requests, the CPU of both processes, peak RSS
// (VmHWM), and as baseline the same statistics without I/O (fresh BasketSessions over the same closes held in memory,
// as bench/watcher.ts builds its baseline), so what limits the tick can be read off the figures.
//
// Measured on a 2-core machine (about 90 s in all): ccxt's rate limiter sets the pace. It spaces binance's klines
// requests 20 ms apart (50 ms a unit of cost, 0.4 units a request: binance's 6000 weight a minute), so the first tick's
// 3000 requests take 60 s of its 65 s and the steady tick's 1000 requests 20 s of its 20.3 s; the statistics alone take
// 2.2 s and 13 ms. With the limiter off the first tick takes 12 s (up to 28 s on a busy machine), bound by this
// process's CPU (ccxt parsing 2.4 million candles, the candle cache, the statistics), and the steady tick 0.6-0.9 s.
// Peak RSS about 700 MB (300 MB of it ccxt and the markets before the first tick; the candle cache holds 180 MB of
// typed arrays).
//
// Knobs: BENCH_TICK_LOAD_BASKETS (default 50), BENCH_TICK_LOAD_ASSETS (default 20), BENCH_TICK_LOAD_RATE_LIMIT (ccxt's
// rate limiter, ms per unit of request cost; unset: binance's own 50 ms; 0 turns the limiter off, for a run of about
// 20 s).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMarketSource } from '../src/app/market.js';
import { detectorConfigFor } from '../src/config/basket-settings.js';
import { basketFromConfig } from '../src/config/baskets.js';
import { configSchema } from '../src/config/schema.js';
import type { Clock, MarketSource } from '../src/domain/ports.js';
import type { Candle } from '../src/domain/types.js';
import { silentLogger } from '../src/log.js';
import { FileCandleCache, withCandleCache } from '../src/market/candle-cache.js';
import { createCcxtSource } from '../src/market/ccxt-source.js';
import { BasketSession } from '../src/scheduler/basket-session.js';
import { Watcher } from '../src/scheduler/watcher.js';
import { LowdbStore } from '../src/store/lowdb-store.js';
import { createWalk, startFakeExchange } from '../test/fakes/fake-exchange.js';
import { cpuSeconds, peakRssMb } from './proc.js';

const HOUR = 3_600_000;
const SEED = 23;
const CHILD_ENV = 'CORRWATCH_BENCH_TICK_LOAD_FAKE';
const BASKETS = Number(process.env.BENCH_TICK_LOAD_BASKETS ?? 50);
const ASSETS = Number(process.env.BENCH_TICK_LOAD_ASSETS ?? 20);
const RATE_LIMIT = process.env.BENCH_TICK_LOAD_RATE_LIMIT === undefined || process.env.BENCH_TICK_LOAD_RATE_LIMIT === '' ? undefined : Number(process.env.BENCH_TICK_LOAD_RATE_LIMIT);
/** binance in ccxt: 50 ms per unit of cost, a spot klines request costs 0.4 units. */
const CCXT_KLINES_MS = 0.4 * (RATE_LIMIT ?? 50);

const symbolOf = (b: number, i: number) => `B${String(b).padStart(2, '0')}A${String(i).padStart(2, '0')}`;

interface FakeSetup {
  markets: string[];
  origin: number;
  now: number;
}

type ToChild = { now: number } | { stats: true };
type FromChild = { baseUrl: string } | { ack: true } | { requests: number; klines: number; failed: number; cpu: number; peakRssMb: number | undefined };

/** The child: the fake exchange on 127.0.0.1, its clock set by the parent, counting what it is asked. */
async function serveFake(setup: FakeSetup): Promise<void> {
  let now = setup.now;
  const fake = await startFakeExchange({ seed: SEED, origin: setup.origin, now: () => now, markets: setup.markets.map((base) => ({ base, quote: 'USDT' })) });
  const send = (m: FromChild) => process.send!(m);
  process.on('message', (m: ToChild) => {
    if ('now' in m) {
      now = m.now;
      send({ ack: true });
    } else {
      const klines = fake.requests.filter((r) => r.path === '/api/v3/klines').length;
      const failed = fake.requests.filter((r) => r.status !== 200).length;
      send({ requests: fake.requests.length, klines, failed, cpu: cpuSeconds('self'), peakRssMb: peakRssMb('self') });
    }
  });
  process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
  send({ baseUrl: fake.baseUrl });
}

/** Ask the child one thing and wait for its answer (one question at a time). */
function ask(child: ChildProcess, m: ToChild): Promise<FromChild> {
  return new Promise((resolve) => {
    child.once('message', (a: FromChild) => resolve(a));
    child.send(m);
  });
}

const fmtS = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const fmtMb = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(0)} MB`);

export async function benchTickLoad(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'corrwatch-bench-tick-'));
  const start = Math.floor(Date.UTC(2026, 0, 1) / HOUR) * HOUR + 60_000;
  const origin = start - 60_000 - 3000 * HOUR;
  let now = start;
  const clock: Clock = { now: () => now };
  const symbols = Array.from({ length: BASKETS }, (_, b) => Array.from({ length: ASSETS }, (_, i) => symbolOf(b, i)));
  const setup: FakeSetup = { markets: symbols.flat(), origin, now };
  const child = fork(fileURLToPath(import.meta.url), [], {
    cwd: join(import.meta.dirname, '..'),
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CHILD_ENV]: JSON.stringify(setup) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const hello = await new Promise<FromChild>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the fake exchange exited (${code})`)));
    });
    if (!('baseUrl' in hello)) throw new Error('the fake exchange did not say where it listens');
    const stats = async () => {
      const s = await ask(child, { stats: true });
      if (!('requests' in s)) throw new Error('unexpected answer from the fake exchange');
      return s;
    };
    const setNow = async (t: number) => {
      now = t;
      await ask(child, { now: t });
    };

    const config = configSchema.parse({ dataDir: dir, market: { source: 'ccxt:binance', baseUrl: hello.baseUrl } });
    // As `corrwatch start` builds it; with the rate-limit knob set, the same composition with ccxt's limiter tuned.
    const market: MarketSource =
      RATE_LIMIT === undefined
        ? buildMarketSource(config, undefined, clock, silentLogger)
        : withCandleCache(
            createCcxtSource({ exchangeId: 'binance', baseUrl: hello.baseUrl, clock, rateLimit: RATE_LIMIT, timeout: 10_000, maxRetries: config.market.maxRetries }),
            new FileCandleCache(join(dir, 'candles'), () => undefined, { maxBars: config.cache.maxBars }),
            clock,
          );
    const store = new LowdbStore(dir, config.store);
    await store.open([]);
    const baskets = symbols.map((s, b) => basketFromConfig(`b${b}`, { symbols: s, timeframe: '1h' }, config, start));
    for (const b of baskets) await store.putBasket(b);
    const watcher = new Watcher({ store, market, config, clock, log: silentLogger, notifiers: [], renderAlert: async () => ({ title: '', text: '' }) });

    /** One tick, with what it asked of the exchange and the CPU each process spent. */
    const tick = async (label: string) => {
      const s0 = await stats();
      const cpu0 = cpuSeconds('self');
      const t0 = performance.now();
      const r = await watcher.tick(now);
      const ms = performance.now() - t0;
      const cpu = cpuSeconds('self') - cpu0;
      const s1 = await stats();
      const broken = r?.baskets.filter((b) => b.error && !b.error.startsWith('warming up')) ?? [];
      if (!r || broken.length) throw new Error(`bench tick-load, ${label}: ${broken.map((b) => `${b.basket}: ${b.error}`).join('; ') || 'refused'}`);
      return { ms, cpu, fakeCpu: s1.cpu - s0.cpu, requests: s1.requests - s0.requests, klines: s1.klines - s0.klines, failed: s1.failed - s0.failed, newBars: r.baskets.map((b) => b.newBars) };
    };

    // ccxt is loaded on first use (about a second) and loads the markets once: done before the ticks, reported apart.
    const s0 = await stats();
    let t0 = performance.now();
    await market.listSymbols();
    const warmMs = performance.now() - t0;
    const warmRequests = (await stats()).requests - s0.requests;
    const peakBefore = peakRssMb('self');
    const first = await tick('first tick');
    await setNow(now + HOUR);
    const steady = await tick('steady tick');
    if (steady.newBars.some((n) => n !== 1)) throw new Error(`bench tick-load: the steady tick took ${steady.newBars.join(',')} new bars, not one per basket`);
    await store.close();
    globalThis.gc?.();
    const peakTicks = peakRssMb('self');
    const held = process.memoryUsage();
    const fake = await stats();

    // Baseline: the statistics alone. The same closes, generated here and held in memory (outside the timing), pushed
    // through fresh sessions: the history replay, then one bar.
    const walk = createWalk(SEED, { origin });
    const firstBar = walk.firstBar(HOUR);
    const series = new Map<string, Candle[]>();
    const lastBar = Math.floor(now / HOUR) * HOUR;
    for (const s of symbols.flat()) {
      const candles: Candle[] = [];
      for (let t = firstBar; t < lastBar; t += HOUR) candles.push({ t, c: walk.closeAtIndex(`${s}USDT`, HOUR, (t - firstBar) / HOUR) });
      series.set(s, candles);
    }
    const memory: MarketSource = {
      id: 'memory',
      venue: 'memory',
      async fetchCandles(symbol, _tf, since, until) {
        const all = series.get(symbol)!;
        const from = Math.max(0, Math.ceil((since - firstBar) / HOUR));
        const to = Math.min(all.length, Math.ceil((Math.min(until, Math.floor(clock.now() / HOUR) * HOUR) - firstBar) / HOUR));
        return all.slice(from, Math.max(from, to));
      },
      listSymbols: async () => symbols.flat(),
      resolveSymbol: async (s) => s,
      calendar: async () => 'continuous',
    };
    const sessions = baskets.map((b) => new BasketSession('bench', b.symbols, b.timeframe, detectorConfigFor(b, config)));
    now = start;
    t0 = performance.now();
    for (const s of sessions) await s.advance(memory, now, { detailAfter: Number.POSITIVE_INFINITY });
    const statsFirst = performance.now() - t0;
    now += HOUR;
    t0 = performance.now();
    for (const s of sessions) await s.advance(memory, now);
    const statsSteady = performance.now() - t0;
    globalThis.gc?.();
    const peakEnd = peakRssMb('self');

    const markets = BASKETS * ASSETS;
    const mb = (bytes: number) => bytes / (1 << 20);
    const limiter = RATE_LIMIT === undefined ? "ccxt's own (binance: 50 ms a unit of cost)" : RATE_LIMIT === 0 ? 'off (BENCH_TICK_LOAD_RATE_LIMIT=0)' : `${RATE_LIMIT} ms a unit of cost (BENCH_TICK_LOAD_RATE_LIMIT)`;
    console.log(`\n## Tick load: ${BASKETS} baskets × ${ASSETS} assets (${markets} markets), hourly, real ccxt on the fake exchange (own process), candle cache on disk, LowdbStore`);
    console.log(`ccxt rate limiter: ${limiter}${CCXT_KLINES_MS > 0 ? `, a klines request every ${CCXT_KLINES_MS} ms at most` : ''}; loading ccxt and the ${markets} markets before the first tick: ${fmtS(warmMs)} (${warmRequests} request)`);
    console.log('| tick | time | × statistics alone | exchange requests (klines) | requests × the limiter\'s spacing | CPU of the watcher process | CPU of the fake exchange | limited by |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const [label, t, base] of [
      ['first (history replay)', first, statsFirst],
      ['steady (one new bar)', steady, statsSteady],
    ] as const) {
      const floor = t.klines * CCXT_KLINES_MS;
      // What the tick waited on: the largest of the limiter's spacing, this process's CPU and the fake's CPU.
      const parts: [string, number][] = [
        ["ccxt's rate limiter", floor],
        [`the watcher's CPU (statistics alone ${fmtS(base)}; the rest ccxt's parsing, the cache, the store)`, t.cpu * 1000],
        ["the fake exchange's CPU", t.fakeCpu * 1000],
      ];
      const [by, ms] = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
      console.log(
        `| ${label} | ${fmtS(t.ms)} | ${(t.ms / base).toFixed(1)}× (${fmtS(base)}) | ${t.requests} (${t.klines})${t.failed ? `, ${t.failed} failed` : ''} | ${fmtS(floor)} | ${t.cpu.toFixed(1)} s | ${t.fakeCpu.toFixed(1)} s | ${by}: ${((100 * ms) / t.ms).toFixed(0)}% of the tick |`,
      );
    }
    console.log(`peak RSS (VmHWM) of the watcher process: ${fmtMb(peakBefore)} with ccxt and the markets loaded, ${fmtMb(peakTicks)} after both ticks, ${fmtMb(peakEnd)} after the baseline too; the fake exchange's: ${fmtMb(fake.peakRssMb)}`);
    console.log(`held after the ticks and a GC: RSS ${fmtMb(mb(held.rss))}, JS heap used ${fmtMb(mb(held.heapUsed))}, typed arrays ${fmtMb(mb(held.arrayBuffers))}`);
  } finally {
    child.disconnect();
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

const childSetup = process.env[CHILD_ENV];
if (childSetup && process.send) await serveFake(JSON.parse(childSetup) as FakeSetup);
else if (import.meta.url === `file://${process.argv[1]}`) await benchTickLoad();
