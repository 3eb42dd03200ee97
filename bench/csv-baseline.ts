/**
 * The CSV parser as it was before the lazy index (src/market/csv-index.ts), kept as the benchmark's
 * baseline and as the reference the equivalence tests compare against: it splits every line, runs Date.parse on
 * every timestamp and parses every price of every symbol, whatever was asked for.
 * Only its price errors are reported earlier than the new source reports them (the new one parses a symbol's
 * prices when that symbol is used).
 */
import { UserError } from '../src/domain/errors.js';
import type { Candle } from '../src/domain/types.js';
import { isoTime, msToTimeframe, timeframeMs } from '../src/domain/timeframe.js';
import { RowError, splitCsvLine } from '../src/market/csv-line.js';

interface BaselineOptions {
  timeframe?: string;
}

export interface BaselineParsed {
  /** Symbols as written in the file, in order of first appearance. */
  symbols: string[];
  series: Map<string, Candle[]>;
  intervalMs: number;
  lastTime: number;
}

const TIME_COLUMNS = new Set(['timestamp', 'time', 'date', 'datetime']);
const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

// The old line splitter is the new one, unchanged (csv-line.ts): shared rather than copied. The timestamp parser
// below is the old one: it differs (it let Date.parse roll impossible dates with a zone offset over), and the
// tests compare the new parser with it.
type TimeUnit = 'iso' | 's' | 'ms';

/** Parse a CSV timestamp (see the module comment); throws RowError saying what is wrong. */
export function baselineParseCsvTime(text: string): { ms: number; unit: TimeUnit } {
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
export function baselineParseCsv(text: string, name: string, opts: BaselineOptions = {}): BaselineParsed {
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
      const { ms, unit } = baselineParseCsvTime(f[timeCol]);
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
        // A row without a close is no bar of its symbol (the symbol is still listed).
        if (noValue(closeText)) {
          symbolOf(sym);
          continue;
        }
        const c: Candle = { t: ms, c: parsePrice(closeText, 'close') };
        for (const k of ['open', 'high', 'low'] as const) {
          const col = priceCols[k];
          if (col !== undefined && f[col] !== '') c[k === 'open' ? 'o' : k === 'high' ? 'h' : 'l'] = parsePrice(f[col], k);
        }
        if (priceCols.volume !== undefined && f[priceCols.volume] !== '') c.v = parsePrice(f[priceCols.volume], 'volume', true);
        rows.get(symbolOf(sym))!.push({ c, line: lineNo });
      } else {
        header.forEach((h, i) => {
          if (i === timeCol || noValue(f[i])) return;
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

/** A cell holding no number: empty, or a word tools write for one (the same list as src/market/csv-line.ts isMissingCell). */
function noValue(cell: string): boolean {
  return ['', 'na', 'nan', 'null', 'none', 'n/a', '#n/a'].includes(cell.trim().toLowerCase());
}
