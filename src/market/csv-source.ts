/**
 * Market source reading closes from a CSV file.
 *
 * Formats (header names case-insensitive, comma-separated, optional double quotes):
 * - long: `timestamp,symbol,close`, optionally with `open,high,low,volume`, columns in any order;
 * - wide: `timestamp,SYM1,SYM2,...`; an empty cell is a missing bar of that symbol (a gap, not an error).
 * `time`, `date` and `datetime` are accepted as names of the timestamp column.
 *
 * Timestamps (decided, not guessed per row):
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
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UserError } from '../domain/errors.js';
import type { MarketSource } from '../domain/ports.js';
import { didYouMean } from '../domain/suggest.js';
import type { Candle } from '../domain/types.js';
import { isoTime, msToTimeframe, timeframeMs } from '../domain/timeframe.js';

export interface CsvSourceOptions {
  /** The file's bar interval (e.g. `1h`); inferred from the median spacing when omitted. */
  timeframe?: string;
}

interface Parsed {
  /** Symbols as written in the file, in order of first appearance. */
  symbols: string[];
  series: Map<string, Candle[]>;
  intervalMs: number;
  lastTime: number;
}

const COMMON_TIMEFRAMES = ['2m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '2d', '3d', '1w'];
const TIME_COLUMNS = new Set(['timestamp', 'time', 'date', 'datetime']);
const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

class RowError extends Error {}

/** Split one CSV line; fields may be quoted with `"` (`""` is a literal quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (true) {
    let field = '';
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      i++;
      while (true) {
        if (i >= line.length) throw new RowError('a quoted field is not closed');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') throw new RowError('text after a closing quote');
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(i, end).trim();
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

type TimeUnit = 'iso' | 's' | 'ms';

/** Parse a CSV timestamp (see the module comment); throws RowError saying what is wrong. */
export function parseCsvTime(text: string): { ms: number; unit: TimeUnit } {
  const s = text.trim();
  if (s === '') throw new RowError('timestamp is empty');
  if (/^\d+$/.test(s)) {
    const v = Number(s);
    if (v >= 1e14) throw new RowError(`timestamp ${s} is too large for epoch milliseconds (microseconds?)`);
    if (v >= 1e11) return { ms: v, unit: 'ms' };
    if (v >= 1e8) return { ms: v * 1000, unit: 's' };
    throw new RowError(`timestamp ${s} is too small to be epoch seconds or milliseconds`);
  }
  const m = ISO_RE.exec(s);
  if (!m) throw new RowError(`timestamp "${s}" is neither ISO-8601 (2024-01-02T00:00:00Z) nor epoch milliseconds`);
  const [, date, time, zone] = m;
  const ms = Date.parse(`${date}T${time ?? '00:00'}${zone ? zone.toUpperCase() : 'Z'}`);
  // Date.parse rolls some impossible dates over (or refuses them): check the calendar date survived.
  const utcDate = Number.isFinite(ms) && (!zone || zone.toUpperCase() === 'Z') ? new Date(ms).toISOString().slice(0, 10) : date;
  if (!Number.isFinite(ms) || utcDate !== date) throw new RowError(`timestamp "${s}" is not a valid date`);
  return { ms, unit: 'iso' };
}

function parsePrice(text: string, what: string, allowZero = false): number {
  if (!NUMBER_RE.test(text)) throw new RowError(`${what} "${text}" is not a number`);
  const v = Number(text);
  if (!Number.isFinite(v)) throw new RowError(`${what} "${text}" is not a finite number`);
  if (allowZero ? v < 0 : v <= 0) throw new RowError(`${what} ${text} is not ${allowZero ? 'non-negative' : 'positive'}`);
  return v;
}

/** Parse the text of a CSV price file named `name` (for messages). Throws UserError('bad_csv'). */
export function parseCsvPrices(text: string, name: string, opts: CsvSourceOptions = {}): Parsed {
  const fail = (line: number | undefined, msg: string): never => {
    throw new UserError('bad_csv', `${name}${line === undefined ? '' : ` line ${line}`}: ${msg}`);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIdx = lines.findIndex((l) => l.trim() !== '');
  if (headerIdx === -1) fail(undefined, 'the file is empty');
  const headerLine = headerIdx + 1;
  let header: string[] = [];
  try {
    header = splitCsvLine(lines[headerIdx]).map((h) => h.trim());
  } catch (e) {
    fail(headerLine, (e as Error).message);
  }
  if (header.length < 2) {
    const sep = /[;\t|]/.exec(lines[headerIdx])?.[0];
    fail(headerLine, sep ? `columns must be separated by commas, not "${sep === '\t' ? 'tab' : sep}"` : 'expected a header like timestamp,symbol,close or timestamp,BTC,ETH');
  }
  const lower = header.map((h) => h.toLowerCase());
  const timeCol = lower.findIndex((h) => TIME_COLUMNS.has(h));
  if (timeCol === -1) fail(headerLine, `no timestamp column (header: ${header.join(',')})`);
  const seen = new Map<string, number>();
  lower.forEach((h, i) => {
    if (h === '') fail(headerLine, `column ${i + 1} has no name`);
    if (seen.has(h)) fail(headerLine, `column "${header[i]}" appears twice`);
    seen.set(h, i);
  });
  const symbolCol = lower.indexOf('symbol');
  const long = symbolCol !== -1;
  const priceCols: Partial<Record<(typeof PRICE_COLUMNS)[number], number>> = {};
  if (long) {
    lower.forEach((h, i) => {
      if (i === timeCol || i === symbolCol) return;
      if (!(PRICE_COLUMNS as readonly string[]).includes(h)) {
        fail(headerLine, `unknown column "${header[i]}"; the long format is timestamp,symbol,close (optionally open,high,low,volume)`);
      }
      priceCols[h as (typeof PRICE_COLUMNS)[number]] = i;
    });
    if (priceCols.close === undefined) fail(headerLine, 'the long format needs a close column (timestamp,symbol,close)');
  } else {
    lower.forEach((h, i) => {
      if (i !== timeCol && (PRICE_COLUMNS as readonly string[]).includes(h)) {
        fail(headerLine, `has a ${h} column but no symbol column: use timestamp,symbol,close (long) or timestamp,BTC,ETH,... (wide)`);
      }
    });
  }

  const symbols: string[] = [];
  const canonical = new Map<string, string>(); // upper -> as first written
  const rows = new Map<string, { c: Candle; line: number }[]>();
  const symbolOf = (written: string): string => {
    const up = written.toUpperCase();
    let s = canonical.get(up);
    if (s === undefined) {
      s = written;
      canonical.set(up, s);
      symbols.push(s);
      rows.set(s, []);
    }
    return s;
  };
  if (!long) header.forEach((h, i) => i !== timeCol && symbolOf(h));

  let unitSeen: { unit: 's' | 'ms'; line: number } | undefined;
  for (let li = headerIdx + 1; li < lines.length; li++) {
    const lineNo = li + 1;
    if (lines[li].trim() === '') continue;
    try {
      const f = splitCsvLine(lines[li]);
      if (f.length !== header.length) throw new RowError(`expected ${header.length} columns, found ${f.length}`);
      const { ms, unit } = parseCsvTime(f[timeCol]);
      if (unit !== 'iso') {
        if (unitSeen && unitSeen.unit !== unit) {
          throw new RowError(`timestamp ${f[timeCol]} is epoch ${unit === 's' ? 'seconds' : 'milliseconds'} but line ${unitSeen.line} is epoch ${unitSeen.unit === 's' ? 'seconds' : 'milliseconds'}`);
        }
        unitSeen ??= { unit, line: lineNo };
      }
      if (long) {
        const sym = f[symbolCol];
        if (sym === '') throw new RowError('symbol is empty');
        const closeText = f[priceCols.close as number];
        if (closeText === '') throw new RowError('close is empty');
        const c: Candle = { t: ms, c: parsePrice(closeText, 'close') };
        for (const k of ['open', 'high', 'low'] as const) {
          const col = priceCols[k];
          if (col !== undefined && f[col] !== '') c[k === 'open' ? 'o' : k === 'high' ? 'h' : 'l'] = parsePrice(f[col], k);
        }
        if (priceCols.volume !== undefined && f[priceCols.volume] !== '') c.v = parsePrice(f[priceCols.volume], 'volume', true);
        rows.get(symbolOf(sym))!.push({ c, line: lineNo });
      } else {
        header.forEach((h, i) => {
          if (i === timeCol || f[i] === '') return;
          rows.get(symbolOf(h))!.push({ c: { t: ms, c: parsePrice(f[i], h) }, line: lineNo });
        });
      }
    } catch (e) {
      if (e instanceof RowError) fail(lineNo, e.message);
      throw e;
    }
  }

  const series = new Map<string, Candle[]>();
  const diffs: number[] = [];
  let lastTime = -Infinity;
  for (const [sym, list] of rows) {
    list.sort((a, b) => a.c.t - b.c.t || a.line - b.line);
    for (let i = 1; i < list.length; i++) {
      const d = list[i].c.t - list[i - 1].c.t;
      if (d === 0) {
        fail(list[i].line, `duplicate timestamp ${isoTime(list[i].c.t)} for ${sym} (also on line ${list[i - 1].line})`);
      }
      diffs.push(d);
    }
    if (list.length) lastTime = Math.max(lastTime, list[list.length - 1].c.t);
  }
  if (!Number.isFinite(lastTime)) fail(undefined, 'no data rows under the header');

  let intervalMs: number;
  if (opts.timeframe !== undefined) intervalMs = timeframeMs(opts.timeframe);
  else {
    if (diffs.length === 0) fail(undefined, 'cannot infer the bar interval: no symbol has two bars; give the timeframe');
    diffs.sort((a, b) => a - b);
    intervalMs = diffs[Math.floor((diffs.length - 1) / 2)];
    if (intervalMs < 1000 || intervalMs % 1000 !== 0) {
      fail(undefined, `the median spacing of bars is ${intervalMs} ms, not a whole number of seconds; give the timeframe`);
    }
  }
  const tfName = msToTimeframe(intervalMs);
  for (const [sym, list] of rows) {
    for (let i = 1; i < list.length; i++) {
      const d = list[i].c.t - list[i - 1].c.t;
      if (d % intervalMs !== 0) {
        fail(
          list[i].line,
          `${sym} bar at ${isoTime(list[i].c.t)} comes ${msToTimeframe(d)} after the previous one (line ${list[i - 1].line}), not a whole number of ${tfName} bars`,
        );
      }
    }
    series.set(sym, list.map((r) => r.c));
  }
  return { symbols, series, intervalMs, lastTime };
}

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

export function createCsvSource(path: string, opts: CsvSourceOptions = {}): MarketSource {
  const name = basename(path);
  let cached: { key: string; parsed: Parsed; resampled: Map<string, Candle[]> } | undefined;

  const load = async () => {
    let key: string;
    try {
      const st = await stat(path);
      key = `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError('csv_not_found', `${name}: no such file (${path})`);
      throw new UserError('csv_unreadable', `${name}: cannot read ${path} (${code ?? (e as Error).message})`);
    }
    if (cached?.key !== key) {
      const text = await readFile(path, 'utf8');
      cached = { key, parsed: parseCsvPrices(text, name, opts), resampled: new Map() };
    }
    return cached;
  };

  const findSymbol = (parsed: Parsed, symbol: string): string => {
    const typed = symbol.trim();
    const found = parsed.symbols.find((s) => s.toUpperCase() === typed.toUpperCase());
    if (found !== undefined) return found;
    const hint = didYouMean(typed, parsed.symbols);
    const listing = parsed.symbols.length <= 20 ? ` (it has ${parsed.symbols.join(', ')})` : '';
    throw new UserError('unknown_symbol', `${typed} is not in ${name}${hint || listing}`);
  };

  /** Bar length for a requested timeframe: the file's, or a whole multiple of it. */
  const checkTimeframe = (parsed: Parsed, timeframe: string): number => {
    const tf = timeframeMs(timeframe);
    const native = parsed.intervalMs;
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
  const lastComplete = (parsed: Parsed, tf: number): number => {
    if (tf === parsed.intervalMs) return parsed.lastTime;
    const b = Math.floor(parsed.lastTime / tf) * tf;
    return parsed.lastTime >= b + tf - parsed.intervalMs ? b : b - tf;
  };

  return {
    id: `csv:${path}`,
    venue: name,
    async fetchCandles(symbol, timeframe, since, until) {
      const state = await load();
      const { parsed } = state;
      const sym = findSymbol(parsed, symbol);
      const tf = checkTimeframe(parsed, timeframe);
      let candles = parsed.series.get(sym)!;
      if (tf !== parsed.intervalMs) {
        const key = `${sym}|${tf}`;
        let r = state.resampled.get(key);
        if (!r) {
          const last = lastComplete(parsed, tf);
          r = resampleCandles(candles, tf).filter((c) => c.t <= last);
          state.resampled.set(key, r);
        }
        candles = r;
      }
      return candles.filter((c) => c.t >= since && c.t < until).map((c) => ({ ...c }));
    },
    async listSymbols() {
      return [...(await load()).parsed.symbols];
    },
    async resolveSymbol(symbol) {
      return findSymbol((await load()).parsed, symbol);
    },
    async nativeTimeframe() {
      return msToTimeframe((await load()).parsed.intervalMs);
    },
    async latestBarTime(timeframe) {
      const { parsed } = await load();
      return lastComplete(parsed, checkTimeframe(parsed, timeframe));
    },
  };
}
