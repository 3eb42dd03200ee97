/**
 * Market source reading closes from a CSV file.
 *
 * Formats (header names case-insensitive, comma-separated, optional double quotes; csv-header.ts):
 * - long: `timestamp,symbol,close`, optionally with `open,high,low,volume`, columns in any order;
 * - wide: `timestamp,SYM1,SYM2,...`; an empty cell is a missing bar of that symbol (a gap, not an error);
 * - one symbol, named by the file: price columns and no symbol column (Yahoo's `Date,...,Close,Adj Close,Volume`).
 * A folder of such files is csv-directory-source.ts.
 * `time`, `date` and `datetime` are accepted as names of the timestamp column.
 *
 * Timestamps (decided, not guessed per row; csv-time.ts):
 * - ISO-8601: `2024-01-02`, `2024-01-02T13:00:00Z`, `2024-01-02 13:00:00+02:00`; without a zone the time is UTC.
 * - Integers: >= 1e11 are epoch milliseconds, 1e8..1e11 epoch seconds (as milliseconds they would fall in 1970-73,
 *   as seconds in 1973-5138, so no market data is ambiguous); >= 1e14 (micro/nanoseconds) and < 1e8 are errors.
 *   Mixing seconds and milliseconds in one file is an error.
 *
 * Rows may be in any order (they are sorted). Errors name the file and line: malformed rows, non-positive or
 * non-numeric prices, duplicate timestamps of a symbol, spacing that is not a whole number of bar intervals.
 * The bar interval is the median spacing of consecutive bars of each symbol unless given.
 * A coarser timeframe that is a whole multiple of the file's is served by resampling (last close of each bucket,
 * buckets aligned to epoch multiples; the last bucket only once the file covers it to its end).
 * The file is re-read when its size or modification time changes.
 *
 * Cost: loading indexes the file in one pass (csv-index.ts: header, column counts, timestamps and their grid are
 * validated then, for every row); a symbol's prices are parsed, and validated, the first time it is used
 * (csv-series.ts), so a query pays for the symbols it names. Each symbol's calendar (csv-calendar.ts) is inferred
 * from its timestamps alone, once per file version.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Calendar } from '../domain/calendar.js';
import { UserError } from '../domain/errors.js';
import type { MarketSource } from '../domain/ports.js';
import { didYouMean } from '../domain/suggest.js';
import type { Candle } from '../domain/types.js';
import { msToTimeframe, timeframeMs } from '../domain/timeframe.js';
import { describeCalendar, inferCalendar, type CalendarInference } from './csv-calendar.js';
import { indexCsv, type CsvIndex, type CsvIndexOptions } from './csv-index.js';
import { candlesOf, lowerBound, parseSeries, type Series } from './csv-series.js';
import { throwIfAborted } from './abort.js';

export { splitCsvLine } from './csv-line.js';

export type CsvSourceOptions = CsvIndexOptions;

/** A MarketSource over a CSV file, which can also say why it inferred a symbol's calendar. */
export interface CsvMarketSource extends MarketSource {
  calendar(symbol: string): Promise<Calendar>;
  /** `BTC: continuous calendar (no closures: 99.9% of the 8,760 1h bars of its span present (5 missing))`. */
  describeCalendar(symbol: string): Promise<string>;
}

const COMMON_TIMEFRAMES = ['2m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '2d', '3d', '1w'];

/** Coarser bars from finer ones: buckets aligned to epoch multiples of `tfMs`, last close of each bucket. */
export function resampleCandles(candles: Candle[], tfMs: number): Candle[] {
  const out: Candle[] = [];
  for (const k of candles) {
    const b = Math.floor(k.t / tfMs) * tfMs;
    const cur = out[out.length - 1];
    if (!cur || cur.t !== b) {
      out.push({ ...k, t: b });
      continue;
    }
    cur.c = k.c;
    cur.h = cur.h !== undefined && k.h !== undefined ? Math.max(cur.h, k.h) : undefined;
    cur.l = cur.l !== undefined && k.l !== undefined ? Math.min(cur.l, k.l) : undefined;
    cur.v = cur.v !== undefined && k.v !== undefined ? cur.v + k.v : undefined;
  }
  for (const c of out) for (const f of ['o', 'h', 'l', 'v'] as const) if (c[f] === undefined) delete c[f];
  return out;
}

/** What is known of one version of the file; everything per symbol is filled on first use. */
interface Loaded {
  key: string;
  index: CsvIndex;
  series: Map<number, Series>;
  resampled: Map<string, Candle[]>;
  calendars: Map<number, CalendarInference>;
}

export function createCsvSource(path: string, opts: CsvSourceOptions = {}): CsvMarketSource {
  const name = basename(path);
  let cached: Loaded | undefined;
  /** The read in progress: queries issued together (Promise.all over a basket) share one read and one index. */
  let pending: { key: string; promise: Promise<Loaded> } | undefined;

  const load = async (): Promise<Loaded> => {
    let key: string;
    try {
      const st = await stat(path);
      key = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError('csv_not_found', `${name}: no such file (${path})`);
      throw new UserError('csv_unreadable', `${name}: cannot read ${path} (${code ?? (e as Error).message})`);
    }
    if (cached?.key === key) return cached;
    if (pending?.key !== key) {
      const read = async (): Promise<Loaded> => {
        const text = await readFile(path, 'utf8');
        return { key, index: indexCsv(text, name, opts), series: new Map(), resampled: new Map(), calendars: new Map() };
      };
      const mine = { key, promise: read() };
      pending = mine;
      // A failed read is not kept: the next query reads again, as it would after any change.
      mine.promise.then(
        (loaded) => {
          if (pending === mine) pending = undefined;
          cached = loaded;
        },
        () => {
          if (pending === mine) pending = undefined;
        },
      );
    }
    return pending.promise;
  };

  /** The id of a user-typed symbol; UserError('unknown_symbol') with a suggestion. */
  const findSymbol = (index: CsvIndex, symbol: string): number => {
    const typed = symbol.trim();
    const id = index.idOf(typed);
    if (id !== -1) return id;
    const hint = didYouMean(typed, index.symbols);
    const listing = index.symbols.length <= 20 ? ` (it has ${index.symbols.join(', ')})` : '';
    throw new UserError('unknown_symbol', `${typed} is not in ${name}${hint || listing}`);
  };

  const seriesOf = (state: Loaded, id: number): Series => {
    let s = state.series.get(id);
    if (!s) state.series.set(id, (s = parseSeries(state.index, id)));
    return s;
  };

  const calendarOf = async (symbol: string): Promise<{ symbol: string; inference: CalendarInference }> => {
    const state = await load();
    const id = findSymbol(state.index, symbol);
    let inference = state.calendars.get(id);
    if (!inference) state.calendars.set(id, (inference = inferCalendar(state.index.timesOf(id), state.index.intervalMs)));
    return { symbol: state.index.symbols[id], inference };
  };

  /** Bar length for a requested timeframe: the file's, or a whole multiple of it. */
  const checkTimeframe = (index: CsvIndex, timeframe: string): number => {
    const tf = timeframeMs(timeframe);
    const native = index.intervalMs;
    if (tf % native !== 0) {
      const nat = msToTimeframe(native);
      const examples = COMMON_TIMEFRAMES.map(timeframeMs)
        .filter((ms) => ms > native && ms % native === 0)
        .slice(0, 3)
        .map(msToTimeframe);
      if (examples.length === 0) examples.push(msToTimeframe(native * 2));
      throw new UserError(
        'unsupported_timeframe',
        `${name} has ${nat} bars: use ${nat} or a whole multiple of it (${examples.join(', ')}...), not ${timeframe}`,
      );
    }
    return tf;
  };

  /** Open time of the newest complete bar of length tf. */
  const lastComplete = (index: CsvIndex, tf: number): number => {
    if (tf === index.intervalMs) return index.lastTime;
    const b = Math.floor(index.lastTime / tf) * tf;
    return index.lastTime >= b + tf - index.intervalMs ? b : b - tf;
  };

  return {
    id: `csv:${path}`,
    venue: name,
    async fetchCandles(symbol, timeframe, since, until, fetchOpts) {
      // A local file, read once: an aborted call is refused up front, like a source's next request.
      throwIfAborted(fetchOpts?.signal, `reading ${symbol} ${timeframe} candles`);
      const state = await load();
      const { index } = state;
      const id = findSymbol(index, symbol);
      const tf = checkTimeframe(index, timeframe);
      const series = seriesOf(state, id);
      if (tf === index.intervalMs) return candlesOf(series, lowerBound(series.t, since), lowerBound(series.t, until));
      const key = `${id}|${tf}`;
      let r = state.resampled.get(key);
      if (!r) {
        const last = lastComplete(index, tf);
        r = resampleCandles(candlesOf(series), tf).filter((c) => c.t <= last);
        state.resampled.set(key, r);
      }
      return r.filter((c) => c.t >= since && c.t < until).map((c) => ({ ...c }));
    },
    async listSymbols() {
      return [...(await load()).index.symbols];
    },
    async resolveSymbol(symbol) {
      const { index } = await load();
      return index.symbols[findSymbol(index, symbol)];
    },
    async nativeTimeframe() {
      return msToTimeframe((await load()).index.intervalMs);
    },
    async latestBarTime(timeframe) {
      const { index } = await load();
      return lastComplete(index, checkTimeframe(index, timeframe));
    },
    async calendar(symbol) {
      return (await calendarOf(symbol)).inference.calendar;
    },
    async describeCalendar(symbol) {
      const { symbol: sym, inference } = await calendarOf(symbol);
      return describeCalendar(sym, inference);
    },
  };
}
