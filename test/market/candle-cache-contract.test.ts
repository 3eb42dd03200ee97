import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildMarketSource } from '../../src/app/market.js';
import { chooseStore } from '../../src/app/store.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { candleCacheKey, FileCandleCache, MemoryCandleCache, withCandleCache, type CandleCache } from '../../src/market/candle-cache.js';
import { PostgresCandleCache } from '../../src/market/candle-cache-postgres.js';
import { migrate } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';
import { at, countingSource, H } from './candle-sources.js';

/**
 * What every candle cache does, whatever holds it (issue 13: the candle cache in PostgreSQL behaves as the on-disk one):
 * one suite on the in-memory cache, the files and PostgreSQL. The file format (lines, compaction, corruption) has its
 * own tests in candle-cache-file.test.ts and candle-cache.test.ts; sharing between replicas is at the end of this file.
 */

interface CacheOptions {
  maxBars?: number;
  maxKeys?: number;
}

/** One cache's storage: `open` makes a cache on it (another instance each time, as another process would, where the storage outlives one). */
interface Storage {
  open(opts?: CacheOptions): CandleCache;
}

interface Backend {
  name: string;
  unavailable?: string;
  /** The storage outlives an instance (a new one reads what an earlier one wrote). */
  persistent: boolean;
  fresh(): Promise<Storage>;
}

const pgServer = await postgresForFile();
let dir: string;
const closers: (() => Promise<void>)[] = [];

/** A migrated database, copied for each test's storage (copying is faster than migrating each). */
let template: Promise<string> | undefined;
async function migratedDatabase(): Promise<string> {
  template ??= (async () => {
    const name = await pgServer.server!.createDatabase('candles_template');
    const pool = new pg.Pool({ connectionString: pgServer.server!.url(name) });
    await migrate(pool);
    await pool.end();
    return name;
  })();
  return pgServer.server!.url(await pgServer.server!.createDatabase('candles', await template));
}

function pgCache(url: string, opts?: CacheOptions, warn?: (m: string) => void): PostgresCandleCache {
  const cache = new PostgresCandleCache({ url }, warn, opts);
  closers.push(() => cache.close());
  return cache;
}

let fileDirs = 0;
const backends: Backend[] = [
  {
    name: 'MemoryCandleCache',
    persistent: false,
    fresh: async () => {
      let cache: MemoryCandleCache | undefined;
      return { open: (opts) => (cache ??= new MemoryCandleCache(opts)) };
    },
  },
  {
    name: 'FileCandleCache',
    persistent: true,
    fresh: async () => {
      const sub = join(dir, `file-${++fileDirs}`);
      return { open: (opts) => new FileCandleCache(sub, () => {}, opts) };
    },
  },
  {
    name: 'PostgresCandleCache',
    unavailable: pgServer.reason,
    persistent: true,
    fresh: async () => {
      const url = await migratedDatabase();
      return { open: (opts) => pgCache(url, opts) };
    },
  },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-cache-contract-'));
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const backend of backends) {
  describe.skipIf(backend.unavailable !== undefined)(backend.unavailable ? `${backend.name} (skipped: ${backend.unavailable})` : backend.name, () => {
    cacheContract(backend);
  });
}

function cacheContract({ persistent, fresh }: Backend): void {
  it('withCandleCache fetches only the missing parts of repeated and extended queries', async () => {
    let now = at(100) + 1;
    const clock = { now: () => now };
    const { source, calls } = countingSource(clock);
    const cached = withCandleCache(source, (await fresh()).open(), clock);

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
    const cached = withCandleCache(source, (await fresh()).open(), clock);
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
    const cached = withCandleCache(source, (await fresh()).open(), clock);
    const [a, b] = await Promise.all([cached.fetchCandles('BTC', '1h', at(0), at(10)), cached.fetchCandles('btc', '1h', at(0), at(10))]);
    expect(a).toEqual(b);
    expect(calls).toHaveLength(1);
  });

  it('keeps optional OHLCV fields as given, and nothing for a key never merged', async () => {
    const storage = await fresh();
    const candles = [{ t: H, o: 2, h: 3, l: 1.5, c: 2.5, v: 10 }, { t: 2 * H, c: 3 }, { t: 3 * H, o: 0.1, c: 0.30000000000000004, v: 0 }];
    await storage.open().merge('k', { range: [0, 4 * H], candles, timeframeMs: H });
    const again = storage.open();
    const got = await again.read('k');
    expect(got?.ranges).toEqual([[0, 4 * H]]);
    expect(got?.length).toBe(3);
    expect(got?.slice(0, 4 * H)).toEqual(candles);
    expect(await again.read('other')).toBeUndefined();
  });

  it('a later candle with the same time replaces the earlier one; fetched ranges merge', async () => {
    const storage = await fresh();
    const cache = storage.open();
    await cache.merge('k', { range: [0, 3 * H], candles: [{ t: 0, c: 1 }, { t: H, c: 2 }], timeframeMs: H });
    await cache.merge('k', { range: [5 * H, 6 * H], candles: [{ t: 5 * H, o: 1, h: 2, l: 0.5, c: 1.5, v: 9 }], timeframeMs: H });
    await cache.merge('k', { range: [H, 5 * H], candles: [{ t: 3 * H, c: 4 }, { t: H, c: 20, v: 4 }], timeframeMs: H });
    const expected = [{ t: 0, c: 1 }, { t: H, c: 20, v: 4 }, { t: 3 * H, c: 4 }, { t: 5 * H, o: 1, h: 2, l: 0.5, c: 1.5, v: 9 }];
    for (const c of persistent ? [cache, storage.open()] : [cache]) {
      const got = (await c.read('k'))!;
      expect(got.ranges).toEqual([[0, 6 * H]]);
      expect(got.slice(-Infinity, Infinity)).toEqual(expected);
    }
  });

  it('bounds each key to maxBars: trims candles and ranges, refetches older requests, keeps the newest as bars come', async () => {
    const storage = await fresh();
    let now = at(100) + 1;
    const clock = { now: () => now };
    const { source, calls } = countingSource(clock);
    const cache = storage.open({ maxBars: 50 });
    const cached = withCandleCache(source, cache, clock);
    const key = candleCacheKey(source.id, 'BTC', '1h');
    const fetch = (fromHour: number) => cached.fetchCandles('BTC', '1h', at(fromHour), at(10_000));

    const all = await fetch(0);
    expect(all).toHaveLength(100); // the query gets everything it asked for
    const held = (await cache.read(key))!;
    expect(held.length).toBe(50);
    expect(held.ranges).toEqual([[at(50), at(100)]]);

    // Within the bound: from the cache. Beyond it: fetched again, and still only the newest 50 kept.
    calls.length = 0;
    expect(await fetch(60)).toEqual(all.slice(60));
    expect(calls).toEqual([]);
    expect(await fetch(20)).toEqual(all.slice(20));
    expect(calls).toEqual([['BTC', at(20), at(50)]]);
    expect((await cache.read(key))!.length).toBe(50);

    // Bar after bar: one new bar fetched and one old bar dropped each time.
    for (let i = 0; i < 60; i++) {
      now += H;
      calls.length = 0;
      await fetch(100 + i - 5);
      expect(calls).toEqual([['BTC', at(100 + i), at(101 + i)]]);
    }
    const mine = (await cache.read(key))!;
    expect(mine.length).toBe(50);
    expect(mine.ranges).toEqual([[at(110), at(160)]]);
    expect(mine.slice(-Infinity, Infinity)).toEqual((await fetch(0)).slice(-50));
    if (persistent) {
      // Another instance on the same storage reads the same and, at its next merge, holds exactly the newest 50 too.
      const other = storage.open({ maxBars: 50 });
      expect((await other.read(key))!.slice(at(110), Infinity)).toEqual(mine.slice(-Infinity, Infinity));
      now += H;
      await withCandleCache(source, other, clock).fetchCandles('BTC', '1h', at(155), at(10_000));
      expect((await other.read(key))!.slice(-Infinity, Infinity)).toEqual((await fetch(0)).slice(-50));
      expect((await other.read(key))!.ranges).toEqual([[at(111), at(161)]]);
    }
  });

  if (persistent) {
    it('persists candles and fetched ranges: another instance fetches nothing that was fetched', async () => {
      const storage = await fresh();
      const clock = { now: () => at(100) };
      const first = countingSource(clock);
      await withCandleCache(first.source, storage.open(), clock).fetchCandles('BTC', '1h', at(0), at(24));
      expect(first.calls).toHaveLength(1);
      const second = countingSource(clock);
      const again = await withCandleCache(second.source, storage.open(), clock).fetchCandles('BTC', '1h', at(0), at(24));
      expect(second.calls).toHaveLength(0);
      expect(again).toHaveLength(24);
      expect(again[3]).toEqual({ t: at(3), c: 103 });
    });

    it('drops idle keys from memory beyond maxKeys and reads them again when used', async () => {
      const storage = await fresh();
      const cache = storage.open({ maxKeys: 1 });
      const c = (t: number) => ({ t, c: 1 + t });
      await cache.merge('a', { range: [0, 2], candles: [c(0), c(1)], timeframeMs: 1 });
      await cache.merge('b', { range: [0, 1], candles: [c(0)], timeframeMs: 1 });
      expect((await cache.read('a'))!.slice(0, 10)).toEqual([c(0), c(1)]);
      await cache.merge('a', { range: [5, 6], candles: [c(5)], timeframeMs: 1 });
      expect((await cache.read('b'))!.slice(0, 10)).toEqual([c(0)]);
      expect((await cache.read('a'))!.slice(0, 10)).toEqual([c(0), c(1), c(5)]);
      expect((await cache.read('a'))!.ranges).toEqual([[0, 2], [5, 6]]);
    });
  }
}

describe.skipIf(!pgServer.server)(`PostgresCandleCache between replicas${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  it('replicas share what any of them fetched: the other one fetches only bars nobody has fetched yet', async () => {
    const url = await migratedDatabase();
    let now = at(200) + 1;
    const clock = { now: () => now };
    const a = countingSource(clock);
    const b = countingSource(clock);
    const [cacheA, cacheB] = [pgCache(url), pgCache(url)];
    const replicaA = withCandleCache(a.source, cacheA, clock);
    const replicaB = withCandleCache(b.source, cacheB, clock);
    const expected = await replicaA.fetchCandles('BTC', '1h', at(0), at(10_000));
    expect(expected).toHaveLength(200);
    expect(await replicaB.fetchCandles('BTC', '1h', at(0), at(10_000))).toEqual(expected);
    expect(b.calls).toEqual([]);
    // Bars come: each replica in turn fetches the new one, and the other takes it from the database.
    for (let i = 0; i < 6; i++) {
      now += H;
      const [fetcher, reader] = i % 2 === 0 ? [replicaA, replicaB] : [replicaB, replicaA];
      const got = await fetcher.fetchCandles('BTC', '1h', at(150), at(10_000));
      expect(await reader.fetchCandles('BTC', '1h', at(150), at(10_000))).toEqual(got);
      expect(got.at(-1)!.t).toBe(at(200 + i));
    }
    expect(a.calls.slice(1)).toEqual([0, 2, 4].map((i) => ['BTC', at(200 + i), at(201 + i)]));
    expect(b.calls).toEqual([1, 3, 5].map((i) => ['BTC', at(200 + i), at(201 + i)]));
  });

  it('merges of one key by two replicas at once: both kept, in one bounded series', async () => {
    const url = await migratedDatabase();
    const [cacheA, cacheB] = [pgCache(url, { maxBars: 100 }), pgCache(url, { maxBars: 100 })];
    const bars = (from: number, to: number, c: number) => Array.from({ length: to - from }, (_, i) => ({ t: (from + i) * H, c: c + i }));
    await Promise.all([
      ...Array.from({ length: 10 }, (_, k) => cacheA.merge('k', { range: [k * 20 * H, (k * 20 + 10) * H], candles: bars(k * 20, k * 20 + 10, 1), timeframeMs: H })),
      ...Array.from({ length: 10 }, (_, k) => cacheB.merge('k', { range: [(k * 20 + 10) * H, (k * 20 + 20) * H], candles: bars(k * 20 + 10, k * 20 + 20, 1), timeframeMs: H })),
    ]);
    const fresh = pgCache(url, { maxBars: 100 });
    const held = (await fresh.read('k'))!;
    expect(held.ranges).toEqual([[100 * H, 200 * H]]);
    expect(held.slice(-Infinity, Infinity).map((k) => k.t)).toEqual(Array.from({ length: 100 }, (_, i) => (100 + i) * H));
    // Each replica, reading again, holds what the database holds.
    for (const cache of [cacheA, cacheB]) {
      const theirs = (await cache.read('k'))!;
      expect(theirs.ranges).toEqual(held.ranges);
      expect(theirs.slice(-Infinity, Infinity)).toEqual(held.slice(-Infinity, Infinity));
    }
    const pool = new pg.Pool({ connectionString: url });
    const counts = await pool.query<{ n: string }>("SELECT count(*) AS n FROM candles WHERE key = 'k'");
    await pool.end();
    expect(Number(counts.rows[0].n)).toBe(100);
  });

  it("one replica's merge moves the bound for all: the others drop the old bars at their next read", async () => {
    const url = await migratedDatabase();
    const [cacheA, cacheB] = [pgCache(url, { maxBars: 50 }), pgCache(url, { maxBars: 50 })];
    const bars = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ t: (from + i) * H, c: 1 + from + i }));
    await cacheA.merge('k', { range: [0, 50 * H], candles: bars(0, 50), timeframeMs: H });
    expect((await cacheA.read('k'))!.length).toBe(50);
    await cacheB.merge('k', { range: [50 * H, 60 * H], candles: bars(50, 60), timeframeMs: H });
    for (const cache of [cacheA, cacheB]) {
      const held = (await cache.read('k'))!;
      expect(held.ranges).toEqual([[10 * H, 60 * H]]);
      expect(held.length).toBe(50);
      expect(held.slice(-Infinity, Infinity)).toEqual(bars(10, 60));
    }
  });

  it('a database without the tables: one warning naming `corrwatch db migrate`, and the queries still answered', async () => {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('unmigrated'));
    const warnings: string[] = [];
    const clock = { now: () => at(100) };
    const { source, calls } = countingSource(clock);
    const cached = withCandleCache(source, pgCache(url, {}, (m) => warnings.push(m)), clock);
    expect(await cached.fetchCandles('BTC', '1h', at(0), at(50))).toHaveLength(50);
    expect(await cached.fetchCandles('BTC', '1h', at(0), at(50))).toHaveLength(50);
    expect(await cached.fetchCandles('ETH', '1h', at(0), at(50))).toHaveLength(50);
    // What it fetched is held in memory: not fetched twice.
    expect(calls).toEqual([
      ['BTC', at(0), at(50)],
      ['ETH', at(0), at(50)],
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^candle cache: cannot read the candles in postgres:\/\/postgres@127\.0\.0\.1:\d+\/unmigrated_\d+_\d+ \(its tables are missing: run `corrwatch db migrate`\)/);
    expect(warnings[0]).not.toContain(pgServer.server!.password);
  });

  it('buildMarketSource puts the candle cache in PostgreSQL when the store is there (DATABASE_URL)', async () => {
    const url = await migratedDatabase();
    const dataDir = join(dir, 'unused-data-dir');
    const config = parseConfig({ dataDir, market: { source: 'sim:7' } });
    const choice = chooseStore(config, { DATABASE_URL: url });
    const clock = { now: () => Date.UTC(2024, 5, 1) };
    const log = createLogger('silent', () => {});
    const market = buildMarketSource(config, undefined, clock, log, choice);
    const got = await market.fetchCandles('BTC', '1h', clock.now() - 48 * H, clock.now());
    expect(got).toHaveLength(48);
    const pool = new pg.Pool({ connectionString: url });
    const rows = await pool.query<{ key: string; n: string }>('SELECT key, (SELECT count(*) FROM candles c WHERE c.key = s.key) AS n FROM candle_series s');
    expect(rows.rows.map((r) => ({ key: r.key, n: Number(r.n) }))).toEqual([{ key: candleCacheKey(market.id, 'BTC', '1h'), n: 48 }]);
    // Closing the source (corrwatch start does at stop) closes the cache's connections at once, not when they idle out.
    const cacheConnections = async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'corrwatch candle cache'`)).rows[0].n);
    expect(await cacheConnections()).toBeGreaterThan(0);
    await market.close!();
    // (a backend leaves pg_stat_activity a moment after its client hung up; the pool would keep it 30 s idle)
    for (let i = 0; i < 50 && (await cacheConnections()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await cacheConnections()).toBe(0);
    await pool.end();
    // Nothing under the data directory.
    await expect(rm(join(dataDir, 'candles'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
