/**
 * One cache key's candles and fetched ranges in memory, stored column-wise (a Float64Array per field: about 48
 * bytes a bar instead of ~170 for a Candle object), with the merge and the bound (maxBars) the caches share.
 *
 * Appending bars newer than the newest one (the watcher's every tick) costs time proportional to the new bars
 * (amortised: the columns grow geometrically and the trimmed head is reclaimed by shifting now and then); a merge
 * that overlaps or precedes the cached bars rebuilds the columns once (proportional to the history).
 */
import type { Candle } from '../domain/types.js';

/** Bars a cache keeps per key unless told otherwise. */
export const DEFAULT_MAX_BARS = 10_000;

/** Half-open [from, to) in epoch ms. */
export type Range = [number, number];

/**
 * A candle as stored in cache files and passed between a series and its file: [t, o, h, l, c, v], null for an
 * absent optional field.
 */
export type Row = [number, number | null, number | null, number | null, number, number | null];

/** What a cache holds for one key: a read-only, live view (it changes with the next merge of the key). */
export interface CachedCandles {
  /** Fetched ranges, merged and sorted. Don't mutate. */
  readonly ranges: readonly Range[];
  /** Number of candles held. */
  readonly length: number;
  /** Candles with since <= t < until in time order (no duplicates), as new objects the caller may keep or change. */
  slice(since: number, until: number): Candle[];
}

/** Union of ranges, sorted, overlapping or touching ones merged. */
export function mergeRanges(ranges: readonly (readonly [number, number])[]): Range[] {
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
export function missingRanges(from: number, to: number, ranges: readonly Range[]): Range[] {
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

/** A candle a cache can hold: finite time, finite positive close (what a cache file accepts back). */
export function isStorable(k: Candle): boolean {
  return Number.isFinite(k.t) && Number.isFinite(k.c) && k.c > 0;
}

const opt = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

/** Storable candles as rows, sorted by time; of several with one time the last one given wins. */
export function candlesToRows(candles: readonly Candle[]): Row[] {
  const rows: Row[] = [];
  for (const k of candles) if (isStorable(k)) rows.push([k.t, opt(k.o), opt(k.h), opt(k.l), k.c, opt(k.v)]);
  return sortedRows(rows);
}

/**
 * Storable candles as new objects, sorted by time, one per time (the last given wins); a non-finite optional
 * field is left out (as a cache would give it back).
 */
export function cleanCandles(candles: readonly Candle[]): Candle[] {
  return candlesToRows(candles).map(([t, o, h, l, c, v]) => {
    const k: Candle = { t, c };
    if (o !== null) k.o = o;
    if (h !== null) k.h = h;
    if (l !== null) k.l = l;
    if (v !== null) k.v = v;
    return k;
  });
}

/** `rows` sorted by time with one row per time (the last given wins); `rows` itself when it already is. */
export function sortedRows(rows: Row[]): Row[] {
  let ordered = true;
  for (let i = 1; i < rows.length && ordered; i++) ordered = rows[i][0] > rows[i - 1][0];
  if (ordered) return rows;
  const byTime = new Map<number, Row>();
  for (const r of rows) byTime.set(r[0], r);
  return [...byTime.values()].sort((x, y) => x[0] - y[0]);
}

/** What a bounded merge kept (to persist as one appended line) and what it dropped from the cache. */
export interface MergeOutcome {
  /** The fetched range clipped to the bound (empty when nothing of it is kept). */
  ranges: Range[];
  /** The fetched rows kept (sorted, unique times). */
  rows: readonly Row[];
  /** Cached candles dropped by the bound. */
  dropped: number;
}

const MIN_CAPACITY = 16;
/** Spare capacity when the columns are reallocated (25% more than needed). */
const GROWTH = 1.25;

export class CandleSeries implements CachedCandles {
  #ranges: Range[] = [];
  #t = new Float64Array(0);
  #o = new Float64Array(0);
  #h = new Float64Array(0);
  #l = new Float64Array(0);
  #c = new Float64Array(0);
  #v = new Float64Array(0);
  /** The live candles are at indices [start, end) of the columns. */
  #start = 0;
  #end = 0;

  get ranges(): readonly Range[] {
    return this.#ranges;
  }

  get length(): number {
    return this.#end - this.#start;
  }

  /** Nothing cached: no candle and no fetched range. */
  get isEmpty(): boolean {
    return this.length === 0 && this.#ranges.length === 0;
  }

  /** Open time of the newest candle. */
  get lastTime(): number | undefined {
    return this.length > 0 ? this.#t[this.#end - 1] : undefined;
  }

  /** Allocated bars (for tests of the memory bound). */
  get capacity(): number {
    return this.#t.length;
  }

  slice(since: number, until: number): Candle[] {
    const from = this.#lowerBound(since);
    const to = Math.max(from, this.#lowerBound(until));
    const out = new Array<Candle>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.#candleAt(i);
    return out;
  }

  /** Every candle as a row, in time order (for writing the series whole). */
  rows(): Row[] {
    const out = new Array<Row>(this.length);
    for (let i = this.#start; i < this.#end; i++) out[i - this.#start] = this.#rowAt(i);
    return out;
  }

  /**
   * Merge one fetch: `rows` (sorted, unique times, as candlesToRows gives) replace cached candles with the same
   * time, and `ranges` join the fetched ranges. No bound is applied (see mergeBounded).
   */
  add(ranges: readonly (readonly [number, number])[], rows: readonly Row[]): void {
    if (rows.length > 0) {
      const last = this.lastTime;
      if (last === undefined || rows[0][0] > last) this.#append(rows);
      else this.#mergeRows(rows);
    }
    for (const r of ranges) this.#addRange(r[0], r[1]);
  }

  /**
   * Merge one fetch, then keep only the newest `maxBars` bars of `timeframeMs`: candles older than
   * (newest candle time + one bar − maxBars bars) are dropped and the fetched ranges clipped there. What the fetch
   * brings from before that cutoff is not taken at all (a query that needs it fetches it again).
   */
  mergeBounded(range: Range, rows: readonly Row[], timeframeMs: number, maxBars: number): MergeOutcome {
    const newest = Math.max(this.lastTime ?? -Infinity, rows.length > 0 ? rows[rows.length - 1][0] : -Infinity);
    const cutoff = Number.isFinite(newest) ? newest + timeframeMs - maxBars * timeframeMs : -Infinity;
    let first = 0;
    while (first < rows.length && rows[first][0] < cutoff) first++;
    const kept = first === 0 ? rows : rows.slice(first);
    const from = Math.max(range[0], cutoff);
    const ranges: Range[] = range[1] > from ? [[from, range[1]]] : [];
    this.add(ranges, kept);
    return { ranges, rows: kept, dropped: this.dropBefore(cutoff) };
  }

  /** Drop candles with t < cutoff and clip the fetched ranges there. Returns how many candles were dropped. */
  dropBefore(cutoff: number): number {
    if (!(cutoff > -Infinity)) return 0;
    if (this.#ranges.length > 0 && this.#ranges[0][0] < cutoff) {
      this.#ranges = this.#ranges.filter(([, b]) => b > cutoff).map(([a, b]) => [Math.max(a, cutoff), b]);
    }
    const idx = this.#lowerBound(cutoff);
    const dropped = idx - this.#start;
    this.#start = idx;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    // Give memory back after a large drop (e.g. a lower maxBars): at most twice what is held (plus a little).
    if (dropped > 0 && this.capacity > MIN_CAPACITY * 4 && this.length * 2 < this.capacity) this.#reallocate(this.length, 0);
    return dropped;
  }

  #addRange(a: number, b: number): void {
    if (!(b > a)) return;
    const ranges = this.#ranges;
    const last = ranges[ranges.length - 1];
    if (!last || a > last[1]) ranges.push([a, b]);
    else if (a >= last[0]) last[1] = Math.max(last[1], b);
    else this.#ranges = mergeRanges([...ranges, [a, b]]);
  }

  /** First index in [start, end] whose time is >= t. */
  #lowerBound(t: number): number {
    let lo = this.#start;
    let hi = this.#end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#t[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #candleAt(i: number): Candle {
    const o = this.#o[i];
    const h = this.#h[i];
    const l = this.#l[i];
    const v = this.#v[i];
    const has = (x: number) => !Number.isNaN(x);
    if (has(o) && has(h) && has(l) && has(v)) return { t: this.#t[i], o, h, l, c: this.#c[i], v };
    const k: Candle = { t: this.#t[i], c: this.#c[i] };
    if (has(o)) k.o = o;
    if (has(h)) k.h = h;
    if (has(l)) k.l = l;
    if (has(v)) k.v = v;
    return k;
  }

  #rowAt(i: number): Row {
    const n = (x: number) => (Number.isNaN(x) ? null : x);
    return [this.#t[i], n(this.#o[i]), n(this.#h[i]), n(this.#l[i]), this.#c[i], n(this.#v[i])];
  }

  #set(i: number, r: Row): void {
    this.#t[i] = r[0];
    this.#o[i] = r[1] ?? NaN;
    this.#h[i] = r[2] ?? NaN;
    this.#l[i] = r[3] ?? NaN;
    this.#c[i] = r[4];
    this.#v[i] = r[5] ?? NaN;
  }

  /** Rows all newer than the newest candle: written after it. */
  #append(rows: readonly Row[]): void {
    this.#reserve(rows.length);
    for (const r of rows) this.#set(this.#end++, r);
  }

  /** Room for `k` more candles after `end`: shift the live ones to the front, or reallocate. */
  #reserve(k: number): void {
    if (this.#end + k <= this.capacity) return;
    const live = this.length;
    // Shifting is worth it only when it frees a good part of the columns (so it happens rarely: amortised O(1)).
    if (live + k + (this.capacity >>> 3) <= this.capacity) {
      for (const col of [this.#t, this.#o, this.#h, this.#l, this.#c, this.#v]) col.copyWithin(0, this.#start, this.#end);
      this.#start = 0;
      this.#end = live;
    } else {
      this.#reallocate(live, k);
    }
  }

  /** New columns sized for `live + extra` candles plus the spare, holding the live candles from index 0. */
  #reallocate(live: number, extra: number): void {
    const cap = Math.max(MIN_CAPACITY, Math.ceil((live + extra) * GROWTH));
    const move = (col: Float64Array) => {
      const next = new Float64Array(cap);
      next.set(col.subarray(this.#start, this.#end));
      return next;
    };
    this.#t = move(this.#t);
    this.#o = move(this.#o);
    this.#h = move(this.#h);
    this.#l = move(this.#l);
    this.#c = move(this.#c);
    this.#v = move(this.#v);
    this.#start = 0;
    this.#end = live;
  }

  /** Rows overlapping or preceding the cached candles: merge both sorted sequences into new columns. */
  #mergeRows(rows: readonly Row[]): void {
    const oldT = this.#t;
    const old = [this.#o, this.#h, this.#l, this.#c, this.#v] as const;
    let i = this.#start;
    const oldEnd = this.#end;
    const live = this.length;
    const cap = Math.max(MIN_CAPACITY, Math.ceil((live + rows.length) * GROWTH));
    this.#t = new Float64Array(cap);
    this.#o = new Float64Array(cap);
    this.#h = new Float64Array(cap);
    this.#l = new Float64Array(cap);
    this.#c = new Float64Array(cap);
    this.#v = new Float64Array(cap);
    this.#start = 0;
    this.#end = 0;
    const copyOld = (from: number) => {
      const to = this.#end++;
      this.#t[to] = oldT[from];
      this.#o[to] = old[0][from];
      this.#h[to] = old[1][from];
      this.#l[to] = old[2][from];
      this.#c[to] = old[3][from];
      this.#v[to] = old[4][from];
    };
    for (const r of rows) {
      while (i < oldEnd && oldT[i] < r[0]) copyOld(i++);
      if (i < oldEnd && oldT[i] === r[0]) i++; // replaced by the newer fetch
      this.#set(this.#end++, r);
    }
    while (i < oldEnd) copyOld(i++);
  }
}
