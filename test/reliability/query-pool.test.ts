import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryPool, queryThreads, type QueryRunner } from '../../src/app/query-pool.js';
import { createRuntime, isHeavyLine } from '../../src/app/runtime.js';
import { reviveResult } from '../../src/app/query-rpc.js';
import { chartRenderer } from '../../src/chart/index.js';
import { seedBaskets } from '../../src/config/baskets.js';
import { loadConfig } from '../../src/config/load.js';
import { SourceError, UserError } from '../../src/domain/errors.js';
import type { Invocation } from '../../src/domain/invocation.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Logger } from '../../src/domain/logger.js';
import { expectOk, type LogEntry, expectUserError, fixedClock, NOW, pngSize, simSource, USER } from '../commands/helpers.js';

/** A Logger keeping every line with the bindings of the child it was logged through. */
function bindingLogger(bindings: Record<string, unknown> = {}, entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const at = (level: LogEntry['level']) => (msg: string, ctx?: Record<string, unknown>) => void entries.push({ level, msg, ctx: { ...bindings, ...ctx } });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => bindingLogger({ ...bindings, ...more }, entries) };
}

const user = (n: number): Invocation => ({ ...USER, userId: `U${n}` });

/** The simulator on the main thread, counting candle requests; it does not list NOPE; `fail` makes requests a SourceError. */
function countingSim() {
  const sim = simSource(fixedClock(NOW));
  const counts = { fetches: 0, fail: false };
  const market: MarketSource = {
    ...sim,
    id: sim.id,
    venue: sim.venue,
    async fetchCandles(...args: Parameters<MarketSource['fetchCandles']>) {
      counts.fetches++;
      if (args[0] === 'NOPE') throw new UserError('unknown_symbol', 'binance does not list NOPE; did you mean NEO?');
      if (counts.fail) throw new SourceError('rate_limited', 'binance is rate limiting corrwatch (HTTP 429); try again in a minute', true);
      return sim.fetchCandles(...args);
    },
  };
  return { market, counts };
}

async function runtimes(market: MarketSource) {
  const config = loadConfig({});
  const store = new MemoryStore();
  await store.open(seedBaskets(config, NOW));
  const log = bindingLogger();
  const clock = fixedClock(NOW);
  const pool = new QueryPool({ config, version: 'test', market, store, log, threads: 1 });
  const pooled = createRuntime({ config, log, clock, store, market, version: 'test', charts: chartRenderer, queries: pool });
  const inline = createRuntime({ config, log, clock, store, market, version: 'test', charts: chartRenderer });
  return { pool, pooled, inline, store, log };
}

// Issue 11 §2: a heavy query used to run on the thread that acks slash commands and answers /healthz.
describe('chat queries in the worker pool', () => {
  let env: Awaited<ReturnType<typeof runtimes>>;
  let sim: ReturnType<typeof countingSim>;
  beforeAll(async () => {
    sim = countingSim();
    env = await runtimes(sim.market);
  });
  afterAll(async () => {
    await env.pool.close();
  });

  it('answers exactly as the main thread does: the same statistics, and the chart as a PNG Buffer', async () => {
    const a = await env.pooled.run(user(1), 'corr BTC ETH 50');
    const b = await env.inline.run(user(1), 'corr BTC ETH 50');
    expectOk(a);
    expect(a.reply.data).toEqual(b.reply.data);
    expect(a.reply.fields).toEqual(b.reply.fields);
    expect(Buffer.isBuffer(a.reply.chart?.png)).toBe(true);
    expect(pngSize(a.reply.chart!.png)).toEqual(pngSize(b.reply.chart!.png));
    const m = await env.pooled.run(user(1), 'matrix majors');
    expectOk(m);
    expect(m.reply.data).toEqual((await env.inline.run(user(1), 'matrix majors')).reply.data);
  });

  it('an export (/corr export matrix) runs in a worker and its CSV arrives as a Buffer, byte for byte the main thread\'s', async () => {
    expect(isHeavyLine('export matrix majors', 'chat')).toBe(true);
    expect(isHeavyLine('export alerts majors', 'chat')).toBe(false);
    const a = await env.pooled.run(user(1), 'export matrix majors');
    const b = await env.inline.run(user(1), 'export matrix majors');
    expectOk(a);
    expect(Buffer.isBuffer(a.reply.attachment?.content)).toBe(true);
    expect(a.reply.attachment!.content.equals(b.reply.attachment!.content)).toBe(true);
    expect({ ...a.reply.attachment, content: null }).toEqual({ ...b.reply.attachment, content: null });
    expect(a.reply.chart).toBeUndefined();
  });

  it('reviveResult turns a cloned Uint8Array back into a Buffer for both the chart and the attachment', () => {
    const bytes = new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(1, 4);
    const r = reviveResult({
      outcome: 'ok',
      reply: { title: 't', chart: { png: bytes as Buffer, filename: 'a.png', alt: 'a', width: 1, height: 1 }, attachment: { filename: 'a.csv', content: bytes as Buffer, mime: 'text/csv', title: 'a' } },
    });
    expect(Buffer.isBuffer(r.reply.chart!.png) && Buffer.isBuffer(r.reply.attachment!.content)).toBe(true);
    expect([...r.reply.attachment!.content]).toEqual([1, 2, 3]);
    expect([...r.reply.chart!.png]).toEqual([1, 2, 3]);
  });

  it('reads baskets from the main thread\'s store (regime) and words errors the same way', async () => {
    const r = await env.pooled.run(user(2), 'regime majors');
    expectOk(r);
    expect(r.reply.data).toEqual((await env.inline.run(user(2), 'regime majors')).reply.data);
    // A UserError thrown on the main thread (the source does not know the symbol; the basket does not exist)
    // crosses as a user error with the same text.
    for (const line of ['corr BTC NOPE 50', 'matrix nosuchbasket', 'regime nosuchbasket', 'corr BTC ETH 99999999']) {
      const p = await env.pooled.run(user(2), line);
      const q = await env.inline.run(user(2), line);
      expect(expectUserError(p)).toBe(expectUserError(q));
    }
  });

  it('a market failure is a source error with its message and an error id, logged on the main thread with who asked', async () => {
    sim.counts.fail = true;
    try {
      const r = await env.pooled.run(user(3), 'corr SOL ETH 40');
      expect(r.outcome).toBe('source_error');
      expect(r.reply.text).toMatch(/^binance is rate limiting corrwatch \(HTTP 429\); try again in a minute \(error id [0-9a-f]{8}\)$/);
      const line = env.log.entries.find((e) => e.msg === 'market source failed' && e.ctx?.errorId === r.errorId);
      expect(line?.ctx).toMatchObject({ code: 'rate_limited', user: 'U3', platform: 'slack' });
    } finally {
      sim.counts.fail = false;
    }
  });

  it('leaves the main thread free: its event loop is mostly idle while a worker computes a replay', async () => {
    // The event loop utilization of this (the main) thread while one query runs: on the main thread the replay keeps
    // it busy; from the pool it only answers the worker's candle requests. The simulator's candles are computed
    // once before (its chunks stay cached), so what is measured is the query, not the data source.
    const busy = async (p: Promise<unknown>) => {
      const e0 = performance.eventLoopUtilization();
      await p;
      return performance.eventLoopUtilization(e0).utilization;
    };
    const line = 'regime majors';
    await env.inline.run(user(4), line);
    const inline = await busy(env.inline.run(user(4), line));
    const inPool = await busy(env.pooled.run(user(4), line));
    expect(inline).toBeGreaterThan(0.5);
    expect(inPool).toBeLessThan(inline / 2);
  });

  it('identical queries in flight are answered once; different ones each run', async () => {
    const before = sim.counts.fetches;
    const same = await Promise.all([1, 2, 3, 4].map((n) => env.pooled.run(user(10 + n), 'corr BNB XRP 60')));
    for (const r of same) expectOk(r);
    const once = sim.counts.fetches - before;
    expect(once).toBe(2); // one request per symbol
    expect(new Set(same.map((r) => r.reply))).toHaveProperty('size', 4); // each caller has its own reply object
    const mid = sim.counts.fetches;
    await Promise.all([60, 61].map((w) => env.pooled.run(user(20), `corr BNB XRP ${w}`)));
    expect(sim.counts.fetches - mid).toBe(4);
  });

  it('the CLI, the console, admin commands and help stay on the main thread', async () => {
    expect(isHeavyLine('corr BTC ETH', 'chat')).toBe(true);
    expect(isHeavyLine('/corr matrix majors', 'chat')).toBe(true);
    expect(isHeavyLine('corr --help', 'chat')).toBe(false);
    expect(isHeavyLine('basket list', 'chat')).toBe(false);
    expect(isHeavyLine('matrx majors', 'chat')).toBe(false);
    const calls: string[] = [];
    const spy: QueryRunner = { run: async (inv, line) => (calls.push(String(line)), env.inline.run(inv, line)), close: async () => {} };
    const config = loadConfig({});
    const rt = createRuntime({ config, log: env.log, clock: fixedClock(NOW), store: env.store, market: sim.market, version: 'test', queries: spy });
    await rt.run({ platform: 'cli', userId: 'me', channelId: 'cli', isAdmin: true }, 'corr BTC ETH 30');
    await rt.run({ platform: 'console', userId: 'me', channelId: 'console', isAdmin: true }, 'corr BTC ETH 30');
    await rt.run(user(5), 'basket list');
    expect(calls).toEqual([]);
    await rt.run(user(5), 'corr BTC ETH 30');
    expect(calls).toEqual(['corr BTC ETH 30']);
  });

  it('a worker that dies gives its caller an error id (logged), not a hang or a crash', async () => {
    const dead: QueryRunner = { run: () => Promise.reject(new Error('worker exited with code 134')), close: async () => {} };
    const log = bindingLogger();
    const rt = createRuntime({ config: loadConfig({}), log, clock: fixedClock(NOW), store: env.store, market: sim.market, version: 'test', queries: dead });
    const r = await rt.run(user(6), 'corr BTC ETH 30');
    expect(r.outcome).toBe('internal_error');
    expect(r.reply).toMatchObject({ ephemeral: true, title: 'Something went wrong' });
    expect(r.reply.text).toContain(`error id ${r.errorId}`);
    expect(log.entries.find((e) => e.msg === 'query worker failed')?.ctx).toMatchObject({ errorId: r.errorId, user: 'U6' });
  });

  it('threads: auto is the cores but one, between 1 and 4', () => {
    expect([1, 2, 3, 4, 8, 64].map((c) => queryThreads('auto', c))).toEqual([1, 2, 2, 3, 4, 4]);
    expect(queryThreads(0, 8)).toBe(0);
  });
});
