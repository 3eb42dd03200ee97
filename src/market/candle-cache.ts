/**
 * A cache of closed candles per (source, symbol, timeframe), remembering which [from, to) ranges were fetched so
 * that repeated or extended queries only fetch what is missing (before, after, or holes in between).
 *
 * Only closed bars are stored. The stretch after the newest bar returned is not remembered as fetched when it
 * reaches the present: an exchange may publish a just-closed bar a little late, and it must be asked again.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock, type MarketSource } from '../domain/ports.js';
import type { Candle } from '../domain/types.js';
import { timeframeMs } from '../domain/timeframe.js';

/** Half-open [from, to) in epoch ms. */
export type Range = [number, number];

export interface CachedCandles {
  /** Sorted by time, no duplicates. */
  candles: Candle[];
  /** Ranges already fetched (merged, sorted). */
  ranges: Range[];
}

export interface CandleCache {
  read(key: string): Promise<CachedCandles | undefined>;
  write(key: string, data: CachedCandles): Promise<void>;
}

export function candleCacheKey(sourceId: string, symbol: string, timeframe: string): string {
  return `${sourceId}|${symbol}|${timeframe}`;
}

/** Union of ranges, sorted, overlapping or touching ones merged. */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Parts of [from, to) not covered by `ranges` (which must be merged and sorted). */
export function missingRanges(from: number, to: number, ranges: Range[]): Range[] {
  const out: Range[] = [];
  let cursor = from;
  for (const [a, b] of ranges) {
    if (b <= cursor) continue;
    if (a >= to) break;
    if (a > cursor) out.push([cursor, Math.min(a, to)]);
    cursor = Math.max(cursor, b);
    if (cursor >= to) break;
  }
  if (cursor < to) out.push([cursor, to]);
  return out;
}

export class MemoryCandleCache implements CandleCache {
  private readonly entries = new Map<string, CachedCandles>();
  async read(key: string): Promise<CachedCandles | undefined> {
    const e = this.entries.get(key);
    return e === undefined ? undefined : structuredClone(e);
  }
  async write(key: string, data: CachedCandles): Promise<void> {
    this.entries.set(key, structuredClone(data));
  }
}

type Row = [number, number | null, number | null, number | null, number, number | null];

interface CacheFile {
  version: 1;
  key: string;
  ranges: Range[];
  candles: Row[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptNum = (v: unknown) => v === null || isNum(v);

/** Why a parsed cache file is unusable, or undefined when it is fine. */
function invalid(data: unknown, key: string): string | undefined {
  if (!data || typeof data !== 'object') return 'not a JSON object';
  const f = data as Partial<CacheFile>;
  if (f.version !== 1) return `unknown version ${JSON.stringify(f.version)}`;
  if (f.key !== key) return 'it belongs to another key';
  if (!Array.isArray(f.ranges) || !f.ranges.every((r) => Array.isArray(r) && r.length === 2 && isNum(r[0]) && isNum(r[1]) && r[0] < r[1])) {
    return 'bad ranges';
  }
  if (!Array.isArray(f.candles)) return 'no candles';
  for (const r of f.candles) {
    if (!Array.isArray(r) || r.length !== 6 || !isNum(r[0]) || !isNum(r[4]) || r[4] <= 0 || ![1, 2, 3, 5].every((i) => isOptNum(r[i]))) {
      return 'a malformed candle';
    }
  }
  return undefined;
}

/**
 * One JSON file per key under `dir`, written atomically (temp file + rename). A corrupt or unreadable file is
 * reported through `warn` and treated as absent (it is only a cache: the candles are fetched again); a failed
 * write is reported and otherwise ignored.
 */
export class FileCandleCache implements CandleCache {
  constructor(
    private readonly dir: string,
    private readonly warn: (msg: string) => void = () => {},
  ) {}

  /** Readable and collision-free: the key with unsafe characters replaced, plus a hash of the exact key. */
  fileFor(key: string): string {
    const readable = key.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 100);
    const h = createHash('sha256').update(key).digest('hex').slice(0, 10);
    return join(this.dir, `${readable}-${h}.json`);
  }

  async read(key: string): Promise<CachedCandles | undefined> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.warn(`candle cache: cannot read ${file} (${code ?? (e as Error).message}); fetching the candles again`);
      return undefined;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    const why = data === undefined ? 'not valid JSON' : invalid(data, key);
    if (why !== undefined) {
      this.warn(`candle cache: ${file} is corrupt (${why}); ignoring it and fetching the candles again`);
      return undefined;
    }
    const f = data as CacheFile;
    const candles = f.candles.map(([t, o, h, l, c, v]) => {
      const k: Candle = { t, c };
      if (o !== null) k.o = o;
      if (h !== null) k.h = h;
      if (l !== null) k.l = l;
      if (v !== null) k.v = v;
      return k;
    });
    return { candles, ranges: mergeRanges(f.ranges) };
  }

  async write(key: string, data: CachedCandles): Promise<void> {
    const file = this.fileFor(key);
    const body: CacheFile = {
      version: 1,
      key,
      ranges: data.ranges,
      candles: data.candles.map((k) => [k.t, k.o ?? null, k.h ?? null, k.l ?? null, k.c, k.v ?? null]),
    };
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, JSON.stringify(body));
      await rename(tmp, file);
    } catch (e) {
      this.warn(`candle cache: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without caching`);
      await unlink(tmp).catch(() => undefined);
    }
  }
}

/**
 * `source` behind `cache`: fetchCandles serves what the cache holds and fetches only the missing parts of
 * [since, until) (clipped to closed bars by `clock`). Calls for the same key are serialized so that concurrent
 * queries don't fetch twice or overwrite each other's ranges. Everything else is passed through.
 */
export function withCandleCache(source: MarketSource, cache: CandleCache, clock: Clock = systemClock): MarketSource {
  const queues = new Map<string, Promise<unknown>>();
  const serialize = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
  };

  const cached: MarketSource = {
    id: source.id,
    venue: source.venue,
    async fetchCandles(symbol, timeframe, since, until, opts) {
      const tf = timeframeMs(timeframe);
      const canonical = await source.resolveSymbol(symbol, opts);
      const key = candleCacheKey(source.id, canonical, timeframe);
      return serialize(key, async () => {
        const closedEnd = Math.floor(clock.now() / tf) * tf;
        const to = Math.min(until, closedEnd);
        if (since >= to) return [];
        const entry = (await cache.read(key)) ?? { candles: [], ranges: [] };
        const missing = missingRanges(since, to, entry.ranges);
        if (missing.length > 0) {
          const byTime = new Map(entry.candles.map((k) => [k.t, k]));
          let ranges = entry.ranges;
          let changed = false;
          try {
            for (const [a, b] of missing) {
              const got = await source.fetchCandles(canonical, timeframe, a, b, opts);
              let newest = -Infinity;
              for (const k of got) {
                if (k.t < a || k.t >= b || k.t + tf > closedEnd) continue;
                byTime.set(k.t, { ...k });
                newest = Math.max(newest, k.t);
              }
              const coveredEnd = b < closedEnd ? b : Number.isFinite(newest) ? newest + tf : a;
              if (coveredEnd > a) ranges = mergeRanges([...ranges, [a, coveredEnd]]);
              changed = true;
            }
          } finally {
            if (changed) {
              entry.candles = [...byTime.values()].sort((x, y) => x.t - y.t);
              entry.ranges = ranges;
              await cache.write(key, entry);
            }
          }
        }
        return entry.candles.filter((k) => k.t >= since && k.t < until).map((k) => ({ ...k }));
      });
    },
    listSymbols: (opts) => source.listSymbols(opts),
    resolveSymbol: (symbol, opts) => source.resolveSymbol(symbol, opts),
  };
  if (source.nativeTimeframe) cached.nativeTimeframe = () => source.nativeTimeframe!();
  if (source.latestBarTime) cached.latestBarTime = (timeframe) => source.latestBarTime!(timeframe);
  return cached;
}
