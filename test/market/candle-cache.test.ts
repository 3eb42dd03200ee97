import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import type { MarketSource } from '../../src/domain/ports.js';
import type { Candle } from '../../src/domain/types.js';
import {
  candleCacheKey,
  FileCandleCache,
  MemoryCandleCache,
  mergeRanges,
  missingRanges,
  withCandleCache,
} from '../../src/market/candle-cache.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const at = (h: number) => T0 + h * H;

/** A source with hourly bars from T0 up to the clock, recording each fetch. `lagBars` hides the newest closed bars. */
function countingSource(clock: { now(): number }, opts: { lagBars?: number } = {}) {
  const calls: [string, number, number][] = [];
  let lagBars = opts.lagBars ?? 0;
  const source: MarketSource = {
    id: 'test:counting',
    venue: 'counting',
    async fetchCandles(symbol, _tf, since, until) {
      calls.push([symbol, since, until]);
      const closedEnd = Math.floor(clock.now() / H) * H - lagBars * H;
      const out: Candle[] = [];
      for (let t = Math.max(T0, Math.ceil(since / H) * H); t < Math.min(until, closedEnd); t += H) out.push({ t, c: 100 + (t - T0) / H });
      return out;
    },
    async listSymbols() {
      return ['BTC', 'ETH'];
    },
    async resolveSymbol(s) {
      const up = s.toUpperCase();
      if (up !== 'BTC' && up !== 'ETH') throw new UserError('unknown_symbol', `${s} is not listed`);
      return up;
    },
    async latestBarTime() {
      return 123;
    },
  };
  return { source, calls, setLag: (n: number) => (lagBars = n) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('range arithmetic', () => {
  it('merges overlapping and touching ranges', () => {
    expect(mergeRanges([[5, 8], [0, 2], [2, 3], [7, 10], [12, 12]])).toEqual([[0, 3], [5, 10]]);
  });
  it('finds the missing parts before, between and after', () => {
    expect(missingRanges(0, 20, [[2, 5], [8, 10]])).toEqual([[0, 2], [5, 8], [10, 20]]);
    expect(missingRanges(3, 4, [[2, 5]])).toEqual([]);
    expect(missingRanges(0, 3, [[5, 8]])).toEqual([[0, 3]]);
  });
});

describe('withCandleCache', () => {
  it('fetches only the missing parts of repeated and extended queries', async () => {
    let now = at(100) + 1;
    const clock = { now: () => now };
    const { source, calls } = countingSource(clock);
    const cached = withCandleCache(source, new MemoryCandleCache(), clock);

    const first = await cached.fetchCandles('btc', '1h', at(10), at(20));
    expect(first.map((k) => k.t)).toEqual(Array.from({ length: 10 }, (_, i) => at(10 + i)));
    expect(calls).toEqual([['BTC', at(10), at(20)]]);

    expect(await cached.fetchCandles('BTC', '1h', at(12), at(18))).toEqual(first.slice(2, 8));
    expect(calls).toHaveLength(1);

    const wider = await cached.fetchCandles('BTC', '1h', at(5), at(30));
    expect(wider.map((k) => k.c)).toEqual(Array.from({ length: 25 }, (_, i) => 105 + i));
    expect(calls.slice(1)).toEqual([
      ['BTC', at(5), at(10)],
      ['BTC', at(20), at(30)],
    ]);

    // A hole between two fetched ranges.
    await cached.fetchCandles('BTC', '1h', at(40), at(50));
    calls.length = 0;
    expect(await cached.fetchCandles('BTC', '1h', at(0), at(60))).toHaveLength(60);
    expect(calls).toEqual([
      ['BTC', at(0), at(5)],
      ['BTC', at(30), at(40)],
      ['BTC', at(50), at(60)],
    ]);

    // Another symbol is another key.
    calls.length = 0;
    await cached.fetchCandles('ETH', '1h', at(10), at(20));
    expect(calls).toEqual([['ETH', at(10), at(20)]]);

    // Up to now and beyond: only closed bars, fetched once, then only the new ones as time passes.
    calls.length = 0;
    const upToNow = await cached.fetchCandles('BTC', '1h', at(90), at(200));
    expect(upToNow.at(-1)!.t).toBe(at(99));
    expect(calls).toEqual([['BTC', at(90), at(100)]]);
    await cached.fetchCandles('BTC', '1h', at(90), at(200));
    expect(calls).toHaveLength(1);
    now = at(103) + 1;
    calls.length = 0;
    expect((await cached.fetchCandles('BTC', '1h', at(90), at(200))).at(-1)!.t).toBe(at(102));
    expect(calls).toEqual([['BTC', at(100), at(103)]]);
  });

  it('asks again for bars the source had not published yet at the present edge', async () => {
    const clock = { now: () => at(50) + 1 };
    const { source, calls, setLag } = countingSource(clock, { lagBars: 2 });
    const cached = withCandleCache(source, new MemoryCandleCache(), clock);
    expect((await cached.fetchCandles('BTC', '1h', at(40), at(60))).at(-1)!.t).toBe(at(47));
    setLag(0);
    expect((await cached.fetchCandles('BTC', '1h', at(40), at(60))).at(-1)!.t).toBe(at(49));
    expect(calls).toEqual([
      ['BTC', at(40), at(50)],
      ['BTC', at(48), at(50)],
    ]);
  });

  it('serializes concurrent queries of one key so nothing is fetched twice', async () => {
    const clock = { now: () => at(100) };
    const { source, calls } = countingSource(clock);
    const cached = withCandleCache(source, new MemoryCandleCache(), clock);
    const [a, b] = await Promise.all([cached.fetchCandles('BTC', '1h', at(0), at(10)), cached.fetchCandles('btc', '1h', at(0), at(10))]);
    expect(a).toEqual(b);
    expect(calls).toHaveLength(1);
  });

  it('passes the rest through and keeps unknown symbols an error', async () => {
    const clock = { now: () => at(100) };
    const { source } = countingSource(clock);
    const cached = withCandleCache(source, new MemoryCandleCache(), clock);
    expect(cached.id).toBe('test:counting');
    expect(await cached.listSymbols()).toEqual(['BTC', 'ETH']);
    expect(await cached.latestBarTime!('1h')).toBe(123);
    expect(cached.nativeTimeframe).toBeUndefined();
    await expect(cached.fetchCandles('XRP', '1h', at(0), at(10))).rejects.toMatchObject({ code: 'unknown_symbol' });
  });
});

describe('FileCandleCache', () => {
  it('persists candles and fetched ranges across instances, written atomically', async () => {
    const sub = join(dir, 'persist');
    const clock = { now: () => at(100) };
    const first = countingSource(clock);
    await withCandleCache(first.source, new FileCandleCache(sub), clock).fetchCandles('BTC', '1h', at(0), at(24));
    expect(first.calls).toHaveLength(1);
    const files = await readdir(sub);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^test_counting_BTC_1h-[0-9a-f]{10}\.json$/);

    const second = countingSource(clock);
    const again = await withCandleCache(second.source, new FileCandleCache(sub), clock).fetchCandles('BTC', '1h', at(0), at(24));
    expect(second.calls).toHaveLength(0);
    expect(again).toHaveLength(24);
    expect(again[3]).toEqual({ t: at(3), c: 103 });
  });

  it('round-trips optional OHLCV fields', async () => {
    const sub = join(dir, 'fields');
    const candles = [{ t: H, o: 2, h: 3, l: 1.5, c: 2.5, v: 10 }, { t: 2 * H, c: 3 }];
    await new FileCandleCache(sub).merge('k', { range: [0, 3 * H], candles, timeframeMs: H });
    const again = new FileCandleCache(sub);
    const got = await again.read('k');
    expect(got?.ranges).toEqual([[0, 3 * H]]);
    expect(got?.slice(0, 3 * H)).toEqual(candles);
    expect(await again.read('other')).toBeUndefined();
  });

  it('warns about a corrupt file and refetches', async () => {
    const sub = join(dir, 'corrupt');
    const warnings: string[] = [];
    const clock = { now: () => at(100) };
    const { source, calls } = countingSource(clock);
    // Each a new process: a file is read once, on the first use of its key.
    const fresh = () => {
      const cache = new FileCandleCache(sub, (m) => warnings.push(m));
      return { cache, cached: withCandleCache(source, cache, clock) };
    };
    const { cache } = fresh();
    await fresh().cached.fetchCandles('BTC', '1h', at(0), at(10));
    const file = cache.fileFor(candleCacheKey('test:counting', 'BTC', '1h'));
    for (const junk of [
      '{"version":1,',
      JSON.stringify({ version: 1, key: 'test:counting|BTC|1h', ranges: [[0, 1]], candles: [[1, null, null, null, -5, null]] }),
      '{"version":2,"key":"test:counting|BTC|1h"}\nnot json\n{"range":[0,1],"candles":[]}\n',
      '{"version":3,"key":"test:counting|BTC|1h"}\n',
      '{"version":2,"key":"another"}\n',
    ]) {
      await writeFile(file, junk);
      calls.length = 0;
      warnings.length = 0;
      expect(await fresh().cached.fetchCandles('BTC', '1h', at(0), at(10))).toHaveLength(10);
      expect(calls).toHaveLength(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('is corrupt');
      expect(warnings[0]).toContain('fetching the candles again');
    }
    // Rewritten whole, as v2.
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ version: 2, key: 'test:counting|BTC|1h' });
    expect(lines[1].candles).toHaveLength(10);
  });

  it('reports a failed write and carries on', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'not a directory');
    const warnings: string[] = [];
    const cache = new FileCandleCache(join(blocker, 'sub'), (m) => warnings.push(m));
    await cache.merge('k', { range: [0, H], candles: [{ t: 0, c: 1 }], timeframeMs: H });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cannot write');
  });
});
