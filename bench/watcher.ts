// The scheduled watcher at issue 10's size: 10 baskets × 20 assets (200 series) of hourly bars on the simulator,
// through the real store (LowdbStore in a temp dir) and the real on-disk candle cache, as `corrwatch start` builds
// them. Reports the first tick (replaying history) and steady ticks (one new bar each), bytes written per tick (the
// process's own write(2) bytes from /proc/self/io, so the store, the cache and anything else count), peak RSS, and
// each time as a ratio against the statistics alone (the same bars pushed through fresh detectors in this run).
// Targets (issue 10): steady tick < 0.3 s, first < 3 s, flat over a long run, bytes per tick ∝ new bars.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMarketSource } from '../src/app/market.js';
import { FileCandleCache, withCandleCache } from '../src/market/candle-cache.js';
import { createSimSource } from '../src/market/sim-source.js';
import type { MarketSource } from '../src/domain/ports.js';
import { detectorConfigFor } from '../src/config/basket-settings.js';
import { basketFromConfig } from '../src/config/baskets.js';
import { configSchema } from '../src/config/schema.js';
import type { Clock } from '../src/domain/ports.js';
import { silentLogger } from '../src/log.js';
import { BasketSession } from '../src/scheduler/basket-session.js';
import { Watcher } from '../src/scheduler/watcher.js';
import { LowdbStore } from '../src/store/lowdb-store.js';

const HOUR = 3_600_000;
const BASKETS = 10;
const ASSETS = 20;
const STEADY_TICKS = Number(process.env.BENCH_WATCHER_TICKS ?? 200);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Bytes this process has written through write(2) and friends (Linux); undefined elsewhere. */
function bytesWritten(): number | undefined {
  try {
    const m = /wchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const fmtBytes = (b: number | undefined) => (b === undefined ? 'n/a' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${(b / 1024).toFixed(1)} kB`);

export async function benchWatcher(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'corrwatch-bench-watcher-'));
  try {
    const start = Date.UTC(2026, 0, 1);
    let now = start;
    const clock: Clock = { now: () => now };
    const config = configSchema.parse({ dataDir: dir, market: { source: 'sim:7' } });
    const store = new LowdbStore(dir, config.store);
    await store.open([]);
    const baskets = Array.from({ length: BASKETS }, (_, b) =>
      basketFromConfig(`b${b}`, { symbols: Array.from({ length: ASSETS }, (_, i) => `S${b}X${i}`), timeframe: '1h' }, config, start),
    );
    for (const basket of baskets) await store.putBasket(basket);
    // As buildMarketSource builds it (the simulator behind the on-disk candle cache), with the time spent inside the
    // simulator counted: it stands for the network, which the targets exclude.
    const sim7 = createSimSource(7, { clock });
    let sourceMs = 0;
    const timed: MarketSource = {
      ...sim7,
      async fetchCandles(...args: Parameters<MarketSource['fetchCandles']>) {
        const t0 = performance.now();
        try {
          return await sim7.fetchCandles(...args);
        } finally {
          sourceMs += performance.now() - t0;
        }
      },
    };
    const market = withCandleCache(timed, new FileCandleCache(join(dir, 'candles'), () => undefined, { maxBars: config.cache.maxBars }), clock);
    let storeBytes = 0;
    store.onWrite = (bytes) => (storeBytes += bytes);
    const watcher = new Watcher({ store, market, config, clock, log: silentLogger, notifiers: [], renderAlert: async () => ({ title: '', text: '' }) });

    // Baseline: the statistics alone. Fresh sessions over the same simulator with no cache, store or policy: the
    // detector replays the same history (first tick) and takes one bar (steady tick).
    const sim = buildMarketSource({ ...config, dataDir: mkdtempSync(join(dir, 'stats-')) }, undefined, clock, silentLogger);
    const sessions = baskets.map((b) => new BasketSession('bench', b.symbols, b.timeframe, detectorConfigFor(b, config)));
    // Fetch outside the timing: the baseline is the statistics, not the simulator.
    const statsFirst: number[] = [];
    for (const s of sessions) {
      const t = performance.now();
      await s.advance(sim, now, { detailAfter: Number.POSITIVE_INFINITY });
      statsFirst.push(performance.now() - t);
    }

    let w0 = bytesWritten();
    let t = performance.now();
    const first = await watcher.tick(now);
    const firstMs = performance.now() - t;
    const firstSourceMs = sourceMs;
    const firstBytes = w0 === undefined ? undefined : bytesWritten()! - w0;
    const errors = first?.baskets.filter((b) => b.error && !b.error.startsWith('warming up')) ?? [];
    if (errors.length) throw new Error(`bench watcher: ${errors.map((e) => `${e.basket}: ${e.error}`).join('; ')}`);

    const tickMs: number[] = [];
    const tickBytes: number[] = [];
    const tickStoreBytes: number[] = [];
    const tickSourceMs: number[] = [];
    const statsMs: number[] = [];
    for (let k = 0; k < STEADY_TICKS; k++) {
      now += HOUR;
      w0 = bytesWritten();
      storeBytes = 0;
      sourceMs = 0;
      t = performance.now();
      const r = await watcher.tick(now);
      tickMs.push(performance.now() - t);
      tickStoreBytes.push(storeBytes);
      tickSourceMs.push(sourceMs);
      if (w0 !== undefined) tickBytes.push(bytesWritten()! - w0);
      if (!r || r.baskets.some((b) => b.newBars !== 1)) throw new Error(`bench watcher: tick ${k} did not take one new bar per basket`);
      t = performance.now();
      for (const s of sessions) await s.advance(sim, now);
      statsMs.push(performance.now() - t);
    }
    await store.close();
    globalThis.gc?.();
    const { rss: endRss, heapUsed: endHeap, arrayBuffers: endBuffers } = process.memoryUsage();

    const firstStats = statsFirst.reduce((a, b) => a + b, 0);
    const steady = median(tickMs);
    const stats = median(statsMs);
    const early = median(tickMs.slice(0, 20));
    const late = median(tickMs.slice(-20));
    console.log(`\n## Watcher: ${BASKETS} baskets × ${ASSETS} assets, hourly bars, simulator, real store and candle cache`);
    console.log('| measure | value | ratio |');
    console.log('|---|---|---|');
    console.log(`| first tick, simulator (the "network") excluded | ${fmtMs(firstMs - firstSourceMs)} | target < 3 s |`);
    console.log(`| steady tick, simulator excluded, median | ${fmtMs(median(tickMs.map((x, i) => x - tickSourceMs[i])))} | target < 0.3 s |`);
    console.log(`| first tick (history replay) | ${fmtMs(firstMs)} | ${(firstMs / firstStats).toFixed(2)}× the statistics alone (${fmtMs(firstStats)}, simulator included) |`);
    console.log(`| steady tick, median of ${STEADY_TICKS} | ${fmtMs(steady)} | ${(steady / stats).toFixed(2)}× the statistics alone (${fmtMs(stats)}) |`);
    console.log(`| steady tick, p95 | ${fmtMs(tickMs.toSorted((a, b) => a - b)[Math.floor(0.95 * tickMs.length)])} | |`);
    console.log(`| steady tick, first 20 vs last 20 (flat?) | ${fmtMs(early)} → ${fmtMs(late)} | ${(late / early).toFixed(2)}× |`);
    console.log(`| bytes written, first tick | ${fmtBytes(firstBytes)} | |`);
    if (tickBytes.length) {
      console.log(`| bytes written per steady tick, median (max) | ${fmtBytes(median(tickBytes))} (${fmtBytes(Math.max(...tickBytes))}) | ${(median(tickBytes) / (BASKETS * ASSETS)).toFixed(0)} bytes per new bar |`);
    }
    console.log(`| store bytes per steady tick, median (corrwatch.json + side files) | ${fmtBytes(median(tickStoreBytes))} | |`);
    console.log(`| peak RSS of the bench process (this bench's baseline sessions included) | ${fmtBytes(process.resourceUsage().maxRSS * 1024)} | |`);
    console.log(`| after the ${STEADY_TICKS} steady ticks${globalThis.gc ? ' and a GC' : ''}: RSS, JS heap used, typed arrays (candle cache) | ${fmtBytes(endRss)}, ${fmtBytes(endHeap)}, ${fmtBytes(endBuffers)} | |`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchWatcher();
