/**
 * The candles of one symbol of an indexed CSV file (csv-index.ts), parsed when the symbol is first used: this is
 * where prices are validated (numbers, finite, positive; volume non-negative; a close in every long row). Kept
 * column-wise (a Float64Array per field, NaN for an empty optional cell): a tenth of the memory of Candle objects,
 * and a range of it becomes candles only when asked for.
 */
import type { Candle } from '../domain/types.js';
import type { CsvIndex } from './csv-index.js';
import { RowError } from './csv-line.js';

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const OPTIONAL = [
  ['open', 'o'],
  ['high', 'h'],
  ['low', 'l'],
] as const;

export interface Series {
  /** Bar open times, ascending. */
  t: Float64Array;
  c: Float64Array;
  /** Present when the file has the column; NaN where its cell is empty. */
  o?: Float64Array;
  h?: Float64Array;
  l?: Float64Array;
  v?: Float64Array;
}

export function parsePrice(text: string, what: string, allowZero = false): number {
  if (!NUMBER_RE.test(text)) throw new RowError(`${what} "${text}" is not a number`);
  const v = Number(text);
  if (!Number.isFinite(v)) throw new RowError(`${what} "${text}" is not a finite number`);
  if (allowZero ? v < 0 : v <= 0) throw new RowError(`${what} ${text} is not ${allowZero ? 'non-negative' : 'positive'}`);
  return v;
}

/**
 * Parse the prices of symbol `id`. Throws UserError('bad_csv') for the first bad row of the symbol in file order,
 * as a parser reading the whole file top to bottom would have.
 */
export function parseSeries(index: CsvIndex, id: number): Series {
  const rows = index.rowsOf(id);
  const n = rows.length;
  const s: Series = { t: new Float64Array(n), c: new Float64Array(n) };
  let firstBad: { row: number; message: string } | undefined;
  const bad = (row: number, e: unknown) => {
    if (!(e instanceof RowError)) throw e;
    if (!firstBad || row < firstBad.row) firstBad = { row, message: e.message };
  };
  for (let i = 0; i < n; i++) s.t[i] = index.timeOf(rows[i]);

  const { priceCols } = index.layout;
  if (index.layout.symbolCol === -1) {
    const col = index.columnOf[id];
    const what = index.layout.header[col];
    for (let i = 0; i < n; i++) {
      try {
        s.c[i] = parsePrice(index.field(rows[i], col), what);
      } catch (e) {
        bad(rows[i], e);
      }
    }
  } else {
    const optional = OPTIONAL.filter(([name]) => priceCols[name] !== undefined).map(([name, key]) => {
      const arr = new Float64Array(n);
      s[key] = arr;
      return { name, col: priceCols[name]!, arr };
    });
    const volumeCol = priceCols.volume;
    if (volumeCol !== undefined) s.v = new Float64Array(n);
    const closeCol = priceCols.close!;
    for (let i = 0; i < n; i++) {
      try {
        const f = index.fields(rows[i]);
        if (f[closeCol] === '') throw new RowError('close is empty');
        s.c[i] = parsePrice(f[closeCol], 'close');
        for (const { name, col, arr } of optional) arr[i] = f[col] === '' ? NaN : parsePrice(f[col], name);
        if (s.v) s.v[i] = f[volumeCol!] === '' ? NaN : parsePrice(f[volumeCol!], 'volume', true);
      } catch (e) {
        bad(rows[i], e);
      }
    }
  }
  if (firstBad) index.fail(firstBad.row, firstBad.message);
  return s;
}

/** Index of the first bar with open time >= t. */
export function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Candles of bars [from, to) of a series (fresh objects, absent fields left out). */
export function candlesOf(s: Series, from = 0, to = s.t.length): Candle[] {
  const out = new Array<Candle>(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const k: Candle = { t: s.t[i], c: s.c[i] };
    if (s.o && s.o[i] === s.o[i]) k.o = s.o[i];
    if (s.h && s.h[i] === s.h[i]) k.h = s.h[i];
    if (s.l && s.l[i] === s.l[i]) k.l = s.l[i];
    if (s.v && s.v[i] === s.v[i]) k.v = s.v[i];
    out[i - from] = k;
  }
  return out;
}
