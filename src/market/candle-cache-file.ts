/**
 * The on-disk candle cache: one file per key, JSON Lines (format v2), appended to on each merge and compacted now
 * and then; the candles read are kept in memory for the life of the process.
 *
 *   {"version":2,"key":"ccxt:binance|BTC/USDT|1h"}                         the header
 *   {"ranges":[[a,b],...],"candles":[[t,o,h,l,c,v],...]}                  the state at the last compaction
 *   {"range":[a,b],"candles":[[t,o,h,l,c,v],...]}                          one line per merged fetch
 *
 * Reading folds the lines in order (a later candle with the same time replaces an earlier one; ranges are
 * merged). Absent OHLCV fields are null. A v1 file (one JSON object: {version: 1, key, ranges, candles}) is still
 * read, and rewritten as v2 by the next merge.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedSerialQueue } from '../domain/serial-queue.js';
import type { CandleCache, FetchedCandles } from './candle-cache.js';
import { CandleSeries, candlesToRows, DEFAULT_MAX_BARS, sortedRows, type CachedCandles, type Range, type Row } from './candle-series.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isOptNum = (v: unknown) => v === null || isNum(v);
const isRange = (r: unknown): r is Range => Array.isArray(r) && r.length === 2 && isNum(r[0]) && isNum(r[1]) && r[0] < r[1];

/** Why `rows` is not a list of candle rows, or undefined when it is. */
function invalidRows(rows: unknown): string | undefined {
  if (!Array.isArray(rows)) return 'no candles';
  for (const r of rows) {
    if (!Array.isArray(r) || r.length !== 6 || !isNum(r[0]) || !isNum(r[4]) || r[4] <= 0 || ![1, 2, 3, 5].every((i) => isOptNum(r[i]))) {
      return 'a malformed candle';
    }
  }
  return undefined;
}

/** The ranges and rows of a v1 file or of a v2 data line, or why it is unusable. */
function dataOf(data: unknown): { ranges: Range[]; rows: Row[] } | string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return 'not a JSON object';
  const d = data as { range?: unknown; ranges?: unknown; candles?: unknown };
  let ranges: Range[];
  if (d.range !== undefined && d.ranges === undefined) {
    if (!isRange(d.range)) return 'a bad range';
    ranges = [d.range];
  } else if (d.ranges !== undefined && d.range === undefined) {
    if (!Array.isArray(d.ranges) || !d.ranges.every(isRange)) return 'bad ranges';
    ranges = d.ranges;
  } else {
    return 'bad ranges';
  }
  const why = invalidRows(d.candles);
  if (why !== undefined) return why;
  return { ranges, rows: sortedRows(d.candles as Row[]) };
}

/** What a cache file held. */
export interface ParsedCacheFile {
  series: CandleSeries;
  /** Data lines plus candle rows in the file: what a compaction would shrink to 1 + series.length. */
  units: number;
  /** The file must be rewritten before anything is appended to it (a v1 file, or a last line without its newline). */
  rewrite: boolean;
  /** The last line was cut short (a crash mid-append) and was dropped. */
  tornTail: boolean;
}

const headerOf = (data: unknown): { version?: unknown; key?: unknown } | undefined =>
  data && typeof data === 'object' && !Array.isArray(data) ? data : undefined;

/** Parse a cache file of `key` (v1 or v2), or say why it is corrupt. */
export function parseCacheFile(text: string, key: string): ParsedCacheFile | { corrupt: string } {
  const series = new CandleSeries();
  // A v1 file (or a v2 file that is only its header) is a single JSON value; a v2 file with data lines is not.
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) {
    const head = headerOf(whole);
    if (!head) return { corrupt: 'not a JSON object' };
    if (head.version !== 1 && head.version !== 2) return { corrupt: `unknown version ${JSON.stringify(head.version)}` };
    if (head.key !== key) return { corrupt: 'it belongs to another key' };
    if (head.version === 2) return { series, units: 0, rewrite: !text.endsWith('\n'), tornTail: false };
    const d = dataOf(whole);
    if (typeof d === 'string') return { corrupt: d };
    series.add(d.ranges, d.rows);
    return { series, units: Infinity, rewrite: true, tornTail: false };
  }

  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  if (complete) lines.pop();
  let head: ReturnType<typeof headerOf>;
  try {
    head = headerOf(JSON.parse(lines[0]));
  } catch {
    return { corrupt: 'not valid JSON' };
  }
  if (!head) return { corrupt: 'not a JSON object' };
  if (head.version !== 2) return { corrupt: head.version === 1 ? 'not valid JSON' : `unknown version ${JSON.stringify(head.version)}` };
  if (head.key !== key) return { corrupt: 'it belongs to another key' };
  let units = 0;
  let tornTail = false;
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let d: ReturnType<typeof dataOf>;
    try {
      d = dataOf(JSON.parse(lines[i]));
    } catch {
      d = 'not valid JSON';
    }
    if (typeof d === 'string') {
      if (i === lines.length - 1 && !complete) {
        tornTail = true;
        break;
      }
      return { corrupt: `line ${i + 1}: ${d}` };
    }
    series.add(d.ranges, d.rows);
    units += 1 + d.rows.length;
  }
  return { series, units, rewrite: !complete, tornTail };
}

export const headerLine = (key: string): string => JSON.stringify({ version: 2, key }) + '\n';

/** One appended line: a merged fetch. */
export const appendLine = (range: Range, rows: readonly Row[]): string => JSON.stringify({ range, candles: rows }) + '\n';

/** A whole v2 file holding `series`: the header and one line. */
export const compactedFile = (key: string, series: CandleSeries): string =>
  headerLine(key) + JSON.stringify({ ranges: series.ranges, candles: series.rows() }) + '\n';

export interface FileCandleCacheOptions {
  /** Bars kept per key (the newest ones); default 10 000. */
  maxBars?: number;
  /** Keys held in memory at most; the least recently used beyond it are dropped and read again when used. Default 1000. */
  maxKeys?: number;
}

interface Entry {
  series: CandleSeries;
  /** Data lines plus candle rows in the file as this process left it. */
  units: number;
  /** Rewrite the file whole (atomically) at the next merge instead of appending to it. */
  rewrite: boolean;
}

/**
 * A compaction rewrites a file when it holds more than this many times what one compacted line would (plus the
 * slack), so the rewrites cost O(1) per appended candle, amortised. Garbage comes from trimmed candles (the bound)
 * and the per-line overhead of small appends.
 */
const COMPACT_RATIO = 2;
const COMPACT_SLACK = 64;

/**
 * One JSON Lines file per key under `dir` (see the top of this file). A key's file is read the first time the key
 * is used in this process, and what it holds is kept in memory (about 60 bytes a bar, at most maxBars bars per key,
 * at most maxKeys keys). Each merge appends one line; a compaction (temp file + rename) rewrites the file whole
 * when it has grown to twice what it needs, when it was a v1 file, or after a failed or torn write. A corrupt or
 * unreadable file is reported through `warn` and treated as absent (it is only a cache: the candles are fetched
 * again); a torn last line is reported and dropped; a failed write is reported and otherwise ignored.
 *
 * Changes another process makes to a file after this one has read it are not seen (this process's appends and
 * compactions go on; a compaction drops lines the other process appended: only cached candles are lost).
 */
export class FileCandleCache implements CandleCache {
  readonly maxBars: number;
  readonly maxKeys: number;
  readonly #entries = new Map<string, Promise<Entry>>();
  readonly #io = new KeyedSerialQueue();

  constructor(
    private readonly dir: string,
    private readonly warn: (msg: string) => void = () => {},
    opts: FileCandleCacheOptions = {},
  ) {
    this.maxBars = opts.maxBars ?? DEFAULT_MAX_BARS;
    this.maxKeys = opts.maxKeys ?? 1000;
    if (!Number.isInteger(this.maxBars) || this.maxBars < 1) throw new RangeError(`maxBars must be a positive integer, got ${this.maxBars}`);
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, got ${this.maxKeys}`);
  }

  /** Readable and collision-free: the key with unsafe characters replaced, plus a hash of the exact key. */
  fileFor(key: string): string {
    const readable = key.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 100);
    const h = createHash('sha256').update(key).digest('hex').slice(0, 10);
    return join(this.dir, `${readable}-${h}.json`);
  }

  async read(key: string): Promise<CachedCandles | undefined> {
    const { series } = await this.#entry(key);
    return series.isEmpty ? undefined : series;
  }

  async merge(key: string, fetched: FetchedCandles): Promise<void> {
    const entry = await this.#entry(key);
    const kept = entry.series.mergeBounded(fetched.range, candlesToRows(fetched.candles), fetched.timeframeMs, this.maxBars);
    if (kept.ranges.length === 0 && kept.rows.length === 0 && kept.dropped === 0) return;
    const file = this.fileFor(key);
    const lineUnits = 1 + kept.rows.length;
    const needed = 1 + entry.series.length;
    if (entry.rewrite || kept.ranges.length !== 1 || entry.units + lineUnits > COMPACT_RATIO * needed + COMPACT_SLACK) {
      await this.#io.run(key, () => this.#compact(key, file, entry));
    } else {
      const line = appendLine(kept.ranges[0], kept.rows);
      entry.units += lineUnits;
      await this.#io.run(key, () => this.#append(key, file, line, entry));
    }
  }

  /** The key's entry, read from its file on first use; the key becomes the most recently used. */
  #entry(key: string): Promise<Entry> {
    let p = this.#entries.get(key);
    if (p) {
      this.#entries.delete(key);
    } else {
      // After the key's pending writes (it may have been dropped from memory a moment ago).
      p = this.#io.run(key, () => this.#load(key));
    }
    this.#entries.set(key, p);
    if (this.#entries.size > this.maxKeys) this.#entries.delete(this.#entries.keys().next().value!);
    return p;
  }

  async #load(key: string): Promise<Entry> {
    const file = this.fileFor(key);
    const absent = (): Entry => ({ series: new CandleSeries(), units: 0, rewrite: true });
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // No file (or no directory: the write will say so).
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warn(`candle cache: cannot read ${file} (${code ?? (e as Error).message}); fetching the candles again`);
      return absent();
    }
    const parsed = parseCacheFile(text, key);
    if ('corrupt' in parsed) {
      this.warn(`candle cache: ${file} is corrupt (${parsed.corrupt}); ignoring it and fetching the candles again`);
      return absent();
    }
    if (parsed.tornTail) this.warn(`candle cache: the last line of ${file} was cut short (an interrupted write); dropped it and kept the rest`);
    return { series: parsed.series, units: parsed.units, rewrite: parsed.rewrite };
  }

  /** Append one line; the file must exist (else it is rewritten whole: it was removed, or never written). */
  async #append(key: string, file: string, line: string, entry: Entry): Promise<void> {
    try {
      const handle = await open(file, constants.O_WRONLY | constants.O_APPEND);
      try {
        await handle.writeFile(line);
      } finally {
        await handle.close();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.#compact(key, file, entry);
      entry.rewrite = true;
      this.#warnWrite(file, e);
    }
  }

  /** Rewrite the file whole from memory, atomically (temp file + rename). */
  async #compact(key: string, file: string, entry: Entry): Promise<void> {
    const text = compactedFile(key, entry.series);
    entry.units = 1 + entry.series.length;
    entry.rewrite = false;
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, file);
    } catch (e) {
      entry.rewrite = true;
      this.#warnWrite(file, e);
      await unlink(tmp).catch(() => undefined);
    }
  }

  #warnWrite(file: string, e: unknown): void {
    this.warn(`candle cache: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); continuing without caching`);
  }
}
