import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  candleCacheKey,
  FileCandleCache,
  MemoryCandleCache,
  mergeRanges,
  missingRanges,
  withCandleCache,
} from '../../src/market/candle-cache.js';
import { at, countingSource, H } from './candle-sources.js';

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

// The cache's behaviour (what is fetched, kept, bounded, replaced) is one suite over the memory, file and PostgreSQL
// caches: candle-cache-contract.test.ts. Here: range arithmetic, what withCandleCache passes through, the file format.
describe('withCandleCache', () => {
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
  it('writes one file per key, named after the key', async () => {
    const sub = join(dir, 'persist');
    const clock = { now: () => at(100) };
    const { source } = countingSource(clock);
    await withCandleCache(source, new FileCandleCache(sub), clock).fetchCandles('BTC', '1h', at(0), at(24));
    const files = await readdir(sub);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^test_counting_BTC_1h-[0-9a-f]{10}\.json$/);
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
