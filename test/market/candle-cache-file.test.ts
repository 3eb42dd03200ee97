import { mkdir, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketSource } from '../../src/domain/ports.js';
import type { Candle } from '../../src/domain/types.js';
import { candleCacheKey, FileCandleCache, withCandleCache, type CandleCache } from '../../src/market/candle-cache.js';
import { appendLine } from '../../src/market/candle-cache-file.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const at = (h: number) => T0 + h * H;
const KEY = candleCacheKey('test:file', 'BTC', '1h');

/** Hourly bars with every field from T0 up to the clock, recording each fetch. */
function fullSource(clock: { now(): number }) {
  const calls: [number, number][] = [];
  const source: MarketSource = {
    id: 'test:file',
    venue: 'file',
    async fetchCandles(_symbol, _tf, since, until) {
      calls.push([since, until]);
      const end = Math.min(until, Math.floor(clock.now() / H) * H);
      const out: Candle[] = [];
      for (let t = Math.max(T0, Math.ceil(since / H) * H); t < end; t += H) {
        const i = (t - T0) / H;
        out.push({ t, o: 100 + i, h: 101.25 + i, l: 99.5 + i, c: 100.5 + i, v: 1000 + i / 8 });
      }
      return out;
    },
    async listSymbols() {
      return ['BTC'];
    },
    async resolveSymbol(s) {
      return s.toUpperCase();
    },
  };
  return { source, calls };
}

/** A watcher-like setup: a clock that moves bar by bar, a source, and caches over one directory. */
function setup(sub: string, opts: { maxBars?: number; startHour?: number } = {}) {
  let now = at(opts.startHour ?? 100) + 1;
  const clock = { now: () => now };
  const { source, calls } = fullSource(clock);
  const warnings: string[] = [];
  const open = (cache: CandleCache = new FileCandleCache(sub, (m) => warnings.push(m), { maxBars: opts.maxBars })) => ({
    cache,
    cached: withCandleCache(source, cache, clock),
  });
  const first = open();
  const file = (first.cache as FileCandleCache).fileFor(KEY);
  return {
    ...first,
    open,
    calls,
    warnings,
    file,
    tick: (bars = 1) => (now += bars * H),
    fetch: (cached: MarketSource, fromHour: number, toHour = 10_000) => cached.fetchCandles('BTC', '1h', at(fromHour), at(toHour)),
  };
}

const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n');
const sizeOf = async (file: string) => (await stat(file)).size;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-cache-v2-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileCandleCache format v2 (JSON Lines)', () => {
  it('writes a header and then one line per merged fetch, read back by a new instance', async () => {
    const s = setup(join(dir, 'roundtrip'));
    const first = await s.fetch(s.cached, 0);
    expect(first).toHaveLength(100);
    s.tick();
    await s.fetch(s.cached, 90);
    s.tick(2);
    await s.fetch(s.cached, 90);
    const lines = await linesOf(s.file);
    expect(lines.at(-1)).toBe('');
    const records = lines.slice(0, -1).map((l) => JSON.parse(l));
    expect(records[0]).toEqual({ version: 2, key: KEY });
    // The first write of a key is a whole file (header and one line), then one line per fetch.
    expect(records.slice(1).map((r) => r.range ?? r.ranges)).toEqual([
      [[at(0), at(100)]],
      [at(100), at(101)],
      [at(101), at(103)],
    ]);
    expect(records[2].candles).toEqual([[at(100), 200, 201.25, 199.5, 200.5, 1012.5]]);

    // Another process: everything from the file, nothing fetched.
    s.calls.length = 0;
    const again = await s.fetch(s.open().cached, 0);
    expect(s.calls).toEqual([]);
    expect(again).toEqual([...first, ...(await s.fetch(s.cached, 100))]);
    expect(again).toHaveLength(103);
    expect(s.warnings).toEqual([]);
  });

  it('folds lines in order: a later candle with the same time wins, ranges merge', async () => {
    const sub = join(dir, 'fold');
    const cache = new FileCandleCache(sub);
    const key = 'k';
    await mkdir(sub, { recursive: true });
    await writeFile(
      cache.fileFor(key),
      [
        JSON.stringify({ version: 2, key }),
        JSON.stringify({ range: [0, 3 * H], candles: [[0, null, null, null, 1, null], [H, null, null, null, 2, null]] }),
        JSON.stringify({ range: [5 * H, 6 * H], candles: [[5 * H, 1, 2, 0.5, 1.5, 9]] }),
        JSON.stringify({ range: [H, 5 * H], candles: [[H, null, null, null, 20, 4], [3 * H, null, null, null, 4, null]] }),
        '',
      ].join('\n'),
    );
    const got = (await cache.read(key))!;
    expect(got.ranges).toEqual([[0, 6 * H]]);
    expect(got.slice(0, Infinity)).toEqual([
      { t: 0, c: 1 },
      { t: H, c: 20, v: 4 },
      { t: 3 * H, c: 4 },
      { t: 5 * H, o: 1, h: 2, l: 0.5, c: 1.5, v: 9 },
    ]);
  });

  it('drops a torn last line with a warning, keeps the rest, and rewrites the file before appending again', async () => {
    const s = setup(join(dir, 'torn'));
    await s.fetch(s.cached, 0);
    s.tick();
    await s.fetch(s.cached, 90);
    // A crash in the middle of the next append.
    const line = appendLine([at(101), at(102)], [[at(101), 1, 2, 0.5, 1.5, 3]]);
    await writeFile(s.file, (await readFile(s.file, 'utf8')) + line.slice(0, 25));

    const next = s.open();
    s.calls.length = 0;
    expect(await s.fetch(next.cached, 0)).toHaveLength(101);
    expect(s.calls).toEqual([]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toContain('cut short');
    expect(s.warnings[0]).toContain('kept the rest');

    s.tick();
    expect(await s.fetch(next.cached, 0)).toHaveLength(102);
    expect(s.calls).toEqual([[at(101), at(102)]]);
    const lines = await linesOf(s.file);
    expect(lines).toHaveLength(3); // header, one line, and the final newline
    s.warnings.length = 0;
    s.calls.length = 0;
    expect(await s.fetch(s.open().cached, 0)).toHaveLength(102);
    expect(s.calls).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  it('reads a v1 file and rewrites it as v2 on the next merge', async () => {
    const s = setup(join(dir, 'v1'));
    const rows = Array.from({ length: 100 }, (_, i) => [at(i), null, null, null, 100.5 + i, null]);
    await mkdir(join(dir, 'v1'), { recursive: true });
    await writeFile(s.file, JSON.stringify({ version: 1, key: KEY, ranges: [[at(0), at(100)]], candles: rows }));
    s.calls.length = 0;
    const got = await s.fetch(s.cached, 0);
    expect(s.calls).toEqual([]);
    expect(got).toHaveLength(100);
    expect(got[7]).toEqual({ t: at(7), c: 107.5 });
    expect(JSON.parse(await readFile(s.file, 'utf8')).version).toBe(1); // nothing merged yet: untouched

    s.tick();
    await s.fetch(s.cached, 0);
    const lines = (await linesOf(s.file)).slice(0, -1).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ version: 2, key: KEY });
    expect(lines[1].ranges).toEqual([[at(0), at(101)]]);
    expect(lines[1].candles).toHaveLength(101);
    expect(lines[1].candles[7]).toEqual(rows[7]);
    s.calls.length = 0;
    expect(await s.fetch(s.open().cached, 0)).toHaveLength(101);
    expect(s.calls).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  it('appends about the size of the new bars, not of the history', async () => {
    const s = setup(join(dir, 'append-size'), { startHour: 3000 });
    await s.fetch(s.cached, 0);
    const before = await sizeOf(s.file);
    expect(before).toBeGreaterThan(3000 * 40);
    for (const bars of [1, 1, 3]) {
      const size = await sizeOf(s.file);
      s.tick(bars);
      await s.fetch(s.cached, 2990);
      const grown = (await sizeOf(s.file)) - size;
      const lastLine = (await linesOf(s.file)).at(-2)!;
      expect(grown).toBe(Buffer.byteLength(lastLine) + 1);
      expect(JSON.parse(lastLine).candles).toHaveLength(bars);
      expect(grown).toBeLessThan(40 + bars * 80);
    }
  });

  it('bounds the cache to maxBars: trims candles and ranges, refetches older requests, compacts the file', async () => {
    const s = setup(join(dir, 'bound'), { maxBars: 50, startHour: 100 });
    const all = await s.fetch(s.cached, 0);
    expect(all).toHaveLength(100); // the query gets everything it asked for
    const held = (await s.cache.read(KEY))!;
    expect(held.length).toBe(50);
    expect(held.ranges).toEqual([[at(50), at(100)]]);

    // Within the bound: from the cache. Beyond it: fetched again, and still only the newest 50 kept.
    s.calls.length = 0;
    expect(await s.fetch(s.cached, 60)).toEqual(all.slice(60));
    expect(s.calls).toEqual([]);
    expect(await s.fetch(s.cached, 20)).toEqual(all.slice(20));
    expect(s.calls).toEqual([[at(20), at(50)]]);
    expect((await s.cache.read(KEY))!.length).toBe(50);

    // Ticks: each appends one bar and drops one; the file is compacted now and then, never growing past ~2x.
    let compactions = 0;
    let size = await sizeOf(s.file);
    const compactSize = size;
    for (let i = 0; i < 300; i++) {
      s.tick();
      await s.fetch(s.cached, 100 + i - 5);
      const next = await sizeOf(s.file);
      if (next < size) compactions++;
      size = next;
      expect(next).toBeLessThan(compactSize * 4);
    }
    expect(compactions).toBeGreaterThanOrEqual(2);
    const mine = (await s.cache.read(KEY))!;
    expect(mine.length).toBe(50);
    expect(mine.ranges).toEqual([[at(350), at(400)]]);

    // What the file holds is what is in memory, plus at most the bars trimmed since the last compaction (a process
    // reading it applies the bound at the key's next merge).
    const other = new FileCandleCache(join(dir, 'bound'), (m) => s.warnings.push(m), { maxBars: 50 });
    const theirs = (await other.read(KEY))!;
    expect(theirs.slice(at(350), Infinity)).toEqual(mine.slice(-Infinity, Infinity));
    expect(theirs.length).toBeLessThanOrEqual(2 * 51 + 64);
    expect(theirs.ranges).toHaveLength(1);
    expect(theirs.ranges[0][0]).toBeLessThanOrEqual(at(350));
    expect(theirs.ranges[0][1]).toBe(at(400));
    s.tick();
    await s.fetch(s.open(other).cached, 395);
    expect((await other.read(KEY))!.slice(-Infinity, Infinity)).toEqual((await s.fetch(s.cached, 0)).slice(-50));
    expect((await other.read(KEY))!.ranges).toEqual([[at(351), at(401)]]);
    expect(s.warnings).toEqual([]);
  });

  it('compacts a file whose appended lines outgrow what they hold, keeping the contents', async () => {
    const sub = join(dir, 'compact');
    const cache = new FileCandleCache(sub);
    const key = 'k';
    const candle = (h: number, c: number) => ({ t: h * H, c });
    // Fetching the same bars again and again (a refetch after a lost range) leaves superseded lines behind.
    await cache.merge(key, { range: [0, 10 * H], candles: Array.from({ length: 10 }, (_, h) => candle(h, 1)), timeframeMs: H });
    let maxLines = 0;
    for (let round = 2; round < 40; round++) {
      await cache.merge(key, { range: [0, 10 * H], candles: Array.from({ length: 10 }, (_, h) => candle(h, round)), timeframeMs: H });
      maxLines = Math.max(maxLines, (await linesOf(cache.fileFor(key))).length - 1);
      const back = (await new FileCandleCache(sub).read(key))!;
      expect(back.slice(0, Infinity)).toEqual(Array.from({ length: 10 }, (_, h) => candle(h, round)));
      expect(back.ranges).toEqual([[0, 10 * H]]);
    }
    // Needed: header + one line of 10 candles (11 units); compaction at 2 x 11 + 64 units of 11 each.
    expect(maxLines).toBeLessThanOrEqual(10);
    expect((await linesOf(cache.fileFor(key))).length - 1).toBeLessThan(maxLines + 1);
  });

  it('recreates a file removed under it, and drops idle keys beyond maxKeys (read again on use)', async () => {
    const sub = join(dir, 'removed');
    const cache = new FileCandleCache(sub, () => {}, { maxKeys: 1 });
    const c = (t: number) => ({ t, c: 1 + t });
    await cache.merge('a', { range: [0, 2], candles: [c(0), c(1)], timeframeMs: 1 });
    await cache.merge('b', { range: [0, 1], candles: [c(0)], timeframeMs: 1 });
    await unlink(cache.fileFor('a'));
    // 'a' was dropped from memory for 'b': read again from the file (gone now), then written whole.
    expect(await cache.read('a')).toBeUndefined();
    await cache.merge('a', { range: [5, 6], candles: [c(5)], timeframeMs: 1 });
    expect((await new FileCandleCache(sub).read('a'))!.slice(0, 10)).toEqual([c(5)]);
    // 'b' read back from its file.
    expect((await cache.read('b'))!.slice(0, 10)).toEqual([c(0)]);
    // A file removed while its key is in memory: the next append writes it whole.
    await unlink(cache.fileFor('b'));
    await cache.merge('b', { range: [1, 2], candles: [c(1)], timeframeMs: 1 });
    expect((await new FileCandleCache(sub).read('b'))!.slice(0, 10)).toEqual([c(0), c(1)]);
  });
});
