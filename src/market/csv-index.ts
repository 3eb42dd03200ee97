/**
 * One pass over the text of a CSV price file that validates what every query needs and remembers where each data
 * row is, without parsing any price: a query then pays only for the symbols it asks for (csv-series.ts).
 *
 * Validated eagerly, when the file is loaded, whatever is asked: the header; every data row's quoting and column
 * count; every timestamp (format, a date that exists, one epoch unit per file); a non-empty symbol (long layout);
 * which wide cells are empty; and, from the timestamps of every symbol: duplicate timestamps, the bar interval
 * (the median spacing, unless given) and bars off that interval's grid. These need no price, and the bar interval
 * and the symbol list depend on every row.
 * Validated lazily, when a symbol's candles are first needed: its prices (numbers, finite, positive; volume
 * non-negative; a close in every long row). Those errors name the file and line as before, the first in the file
 * among the symbol's rows; a bad price of a symbol nobody asks for is never reported.
 *
 * Memory: the text plus about 16 bytes a row (line offset, time, the symbol's row list), a bit per wide cell when
 * some cell is empty, and in wide files with many columns the offset of every 8th field of a row (so reading one
 * column walks at most 7 commas instead of the whole line).
 */
import { UserError } from '../domain/errors.js';
import { isoTime, msToTimeframe, timeframeMs } from '../domain/timeframe.js';
import { parseHeader, type CsvLayout } from './csv-header.js';
import { isBlank, isMissingCell, lineEnd, lineNumberAt, RowError, splitCsvLine } from './csv-line.js';
import { TimeParser } from './csv-time.js';

export interface CsvIndexOptions {
  /** The file's bar interval (e.g. `1h`); inferred from the median spacing when omitted. */
  timeframe?: string;
  /** The symbol of a one-symbol file (csv-header.ts); by default the file's name without its extension. */
  fileSymbol?: string;
}

/** The symbol a one-symbol file is named for: `SPY.csv` → SPY, `BTC-USD.csv` → BTC-USD. */
export function symbolOfFileName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Every STRIDE-th field offset of a wide row is kept (see the module comment). */
const STRIDE = 8;

/** Where the data rows are, in file order (row k is the k-th non-blank line after the header). */
interface RowTable {
  count: number;
  starts: Int32Array;
  times: Float64Array;
  /** 1 for rows whose line has a `"` (read with splitCsvLine); undefined when none has. */
  quoted: Uint8Array | undefined;
  /** Wide: bit set for an empty cell (row-major, `bytesPerRow` bytes a row); undefined when no cell is empty. */
  empty: Uint8Array | undefined;
  bytesPerRow: number;
  /** Wide, more than STRIDE columns: offsets of fields STRIDE, 2·STRIDE, ... (`perRow` a row). */
  checkpoints: Int32Array | undefined;
  perRow: number;
}

/** Per-symbol rows of the long layout, grouped (CSR): rows of symbol k are rows[start[k] .. start[k + 1]). */
interface Grouped {
  rows: Int32Array;
  start: Int32Array;
}

export class CsvIndex {
  /** Bar interval of the file in ms. */
  readonly intervalMs: number;
  /** Open time of the newest bar of any symbol. */
  readonly lastTime: number;
  private readonly byUpper = new Map<string, number>();
  private readonly wideRows = new Map<number, Int32Array>();
  private allRowsSorted: Int32Array | undefined;

  constructor(
    readonly text: string,
    /** The file's name, for messages. */
    readonly name: string,
    readonly layout: CsvLayout,
    /** Symbols as first written, in order of first appearance; a symbol's id is its position here. */
    readonly symbols: string[],
    private readonly table: RowTable,
    private readonly grouped: Grouped | undefined,
    /** Wide: the column of each symbol id. */
    readonly columnOf: number[],
    /** Wide: data rows in (time, line) order; undefined when the file is already in that order. */
    private readonly order: Int32Array | undefined,
    opts: CsvIndexOptions,
  ) {
    symbols.forEach((s, i) => this.byUpper.set(s.toUpperCase(), i));
    const { intervalMs, lastTime } = this.checkTimes(opts);
    this.intervalMs = intervalMs;
    this.lastTime = lastTime;
  }

  /** Id of a symbol written in any case, or -1. */
  idOf(symbol: string): number {
    return this.byUpper.get(symbol.toUpperCase()) ?? -1;
  }

  /** Data rows holding a bar of symbol `id`, sorted by time (then line). */
  rowsOf(id: number): Int32Array {
    if (this.grouped) return this.grouped.rows.subarray(this.grouped.start[id], this.grouped.start[id + 1]);
    if (!this.table.empty) return this.sortedRows();
    let rows = this.wideRows.get(id);
    if (!rows) this.wideRows.set(id, (rows = this.filterWide(id)));
    return rows;
  }

  /** Bar open times of symbol `id`, ascending. */
  timesOf(id: number): Float64Array {
    const rows = this.rowsOf(id);
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = this.table.times[rows[i]];
    return out;
  }

  timeOf(row: number): number {
    return this.table.times[row];
  }

  /** 1-based line number of a data row (counted on demand: only messages need it). */
  lineOf(row: number): number {
    return lineNumberAt(this.text, this.table.starts[row]);
  }

  /** The fields of a data row, as splitCsvLine gives them. */
  fields(row: number): string[] {
    const start = this.table.starts[row];
    return splitCsvLine(this.text.slice(start, lineEnd(this.text, start)));
  }

  /** One field of a data row, as `fields(row)[col]` but without splitting the whole line. */
  field(row: number, col: number): string {
    const { starts, quoted, checkpoints, perRow } = this.table;
    if (quoted?.[row]) return this.fields(row)[col];
    const text = this.text;
    const j = checkpoints ? Math.floor(col / STRIDE) : 0;
    let fs = j === 0 ? starts[row] : checkpoints![row * perRow + j - 1];
    for (let k = j * STRIDE; k < col; k++) fs = text.indexOf(',', fs) + 1;
    const ce = col === this.layout.header.length - 1 ? lineEnd(text, fs) : text.indexOf(',', fs);
    return text.slice(fs, ce).trim();
  }

  private sortedRows(): Int32Array {
    if (!this.allRowsSorted) {
      const n = this.table.count;
      this.allRowsSorted = this.order ?? Int32Array.from({ length: n }, (_, i) => i);
    }
    return this.allRowsSorted;
  }

  /**
   * Duplicates, the bar interval and the grid, from the symbols' timestamps, with the messages and in the order of
   * the original parser: duplicates of every symbol first, then the interval, then bars off its grid.
   */
  private checkTimes(opts: CsvIndexOptions): { intervalMs: number; lastTime: number } {
    const times = this.table.times;
    // A wide file without empty cells gives every symbol the same rows: check them once, count their spacings n times.
    const shared = !this.grouped && !this.table.empty;
    const ids = shared ? [0] : this.symbols.map((_, i) => i);
    const weight = shared ? this.symbols.length : 1;
    const spacings = new Map<number, number>();
    let lastTime = -Infinity;
    for (const id of ids) {
      const rows = this.grouped || shared ? this.rowsOf(id) : this.filterWide(id);
      let run = NaN;
      let runLength = 0;
      for (let i = 1; i < rows.length; i++) {
        const d = times[rows[i]] - times[rows[i - 1]];
        if (d === 0) {
          this.fail(rows[i], `duplicate timestamp ${isoTime(times[rows[i]])} for ${this.symbols[id]} (also on line ${this.lineOf(rows[i - 1])})`);
        }
        if (d !== run) {
          if (runLength) spacings.set(run, (spacings.get(run) ?? 0) + runLength * weight);
          run = d;
          runLength = 0;
        }
        runLength++;
      }
      if (runLength) spacings.set(run, (spacings.get(run) ?? 0) + runLength * weight);
      if (rows.length) lastTime = Math.max(lastTime, times[rows[rows.length - 1]]);
    }
    if (!Number.isFinite(lastTime)) this.fail(undefined, 'no data rows under the header');

    let intervalMs: number;
    if (opts.timeframe !== undefined) intervalMs = timeframeMs(opts.timeframe);
    else {
      if (spacings.size === 0) this.fail(undefined, 'cannot infer the bar interval: no symbol has two bars; give the timeframe');
      intervalMs = medianOfCounts(spacings);
      if (intervalMs < 1000 || intervalMs % 1000 !== 0) {
        this.fail(undefined, `the median spacing of bars is ${intervalMs} ms, not a whole number of seconds; give the timeframe`);
      }
    }
    if ([...spacings.keys()].some((d) => d % intervalMs !== 0)) {
      const tfName = msToTimeframe(intervalMs);
      for (const id of ids) {
        const rows = this.grouped || shared ? this.rowsOf(id) : this.filterWide(id);
        for (let i = 1; i < rows.length; i++) {
          const d = times[rows[i]] - times[rows[i - 1]];
          if (d % intervalMs !== 0) {
            this.fail(
              rows[i],
              `${this.symbols[id]} bar at ${isoTime(times[rows[i]])} comes ${msToTimeframe(d)} after the previous one (line ${this.lineOf(rows[i - 1])}), not a whole number of ${tfName} bars`,
            );
          }
        }
      }
    }
    return { intervalMs, lastTime };
  }

  /** Sorted rows of a wide symbol whose cell is not empty (not kept: the eager checks visit every symbol once). */
  private filterWide(id: number): Int32Array {
    const { empty, bytesPerRow } = this.table;
    const all = this.sortedRows();
    if (!empty) return all;
    const byte = id >> 3;
    const bit = 1 << (id & 7);
    return all.filter((r) => (empty[r * bytesPerRow + byte] & bit) === 0);
  }

  /** Throw UserError('bad_csv') naming the file and, for a data row, its line. */
  fail(row: number | undefined, msg: string): never {
    throw new UserError('bad_csv', `${this.name}${row === undefined ? '' : ` line ${this.lineOf(row)}`}: ${msg}`);
  }
}

/** The element at index ⌊(n-1)/2⌋ of the sorted multiset given as value → count (the original's median). */
function medianOfCounts(counts: Map<number, number>): number {
  const keys = [...counts.keys()].sort((a, b) => a - b);
  let total = 0;
  for (const k of keys) total += counts.get(k)!;
  const target = Math.floor((total - 1) / 2);
  let seen = 0;
  for (const k of keys) {
    seen += counts.get(k)!;
    if (seen > target) return k;
  }
  return keys[keys.length - 1];
}

/** Index the text of a CSV price file named `name` (for messages). Throws UserError('bad_csv'). */
export function indexCsv(text: string, name: string, opts: CsvIndexOptions = {}): CsvIndex {
  const fail = (line: number | undefined, msg: string): never => {
    throw new UserError('bad_csv', `${name}${line === undefined ? '' : ` line ${line}`}: ${msg}`);
  };
  const len = text.length;
  let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNo = 0;
  /** The line starting at p: its end without the line break, and where the next line starts. */
  let end = 0;
  let next = 0;
  const advance = () => {
    const nl = text.indexOf('\n', p);
    next = nl === -1 ? len + 1 : nl + 1;
    end = nl === -1 ? len : nl > p && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lineNo++;
  };

  let layout: CsvLayout | undefined;
  for (; p <= len; p = next) {
    advance();
    if (isBlank(text, p, end)) continue;
    try {
      layout = parseHeader(text.slice(p, end), opts.fileSymbol ?? symbolOfFileName(name));
    } catch (e) {
      if (e instanceof RowError) fail(lineNo, e.message);
      throw e;
    }
    p = next;
    break;
  }
  if (!layout) return fail(undefined, 'the file is empty');

  const ncols = layout.header.length;
  const { timeCol, symbolCol } = layout;
  const long = symbolCol !== -1;
  // A long row whose close holds no value (empty, NA, null, ...) is no bar of its symbol: left out as a missing one.
  const closeCol = long ? layout.priceCols.close! : -1;

  // Symbols: wide ones from the header, long ones as they appear (case-insensitive, first spelling kept).
  const symbols: string[] = [];
  const idByWritten = new Map<string, number>();
  const idByUpper = new Map<string, number>();
  const symbolId = (written: string): number => {
    let id = idByWritten.get(written);
    if (id === undefined) {
      const up = written.toUpperCase();
      id = idByUpper.get(up);
      if (id === undefined) {
        id = symbols.length;
        symbols.push(written);
        idByUpper.set(up, id);
      }
      idByWritten.set(written, id);
    }
    return id;
  };
  const columnOf: number[] = [];
  const idOfColumn = new Int32Array(ncols).fill(-1);
  if (!long) {
    for (const { col, name: symbol } of layout.symbolColumns) {
      idOfColumn[col] = symbolId(symbol);
      columnOf.push(col);
    }
  }

  // At most one data row a remaining line.
  let cap = 1;
  for (let q = text.indexOf('\n', p); q !== -1; q = text.indexOf('\n', q + 1)) cap++;
  const table: RowTable = {
    count: 0,
    starts: new Int32Array(cap),
    times: new Float64Array(cap),
    quoted: undefined,
    empty: undefined,
    bytesPerRow: (symbols.length + 7) >> 3,
    checkpoints: undefined,
    perRow: 0,
  };
  if (!long && ncols > STRIDE) {
    table.perRow = Math.floor((ncols - 1) / STRIDE);
    table.checkpoints = new Int32Array(cap * table.perRow);
  }
  const symOfRow = long ? new Int32Array(cap) : undefined;
  const markEmpty = (row: number, id: number) => {
    table.empty ??= new Uint8Array(cap * table.bytesPerRow);
    table.empty[row * table.bytesPerRow + (id >> 3)] |= 1 << (id & 7);
  };

  const tp = new TimeParser();
  let unitSeen: { unit: 's' | 'ms'; line: number } | undefined;
  let quotePos = -1;
  let prevRaw = '';
  let prevId = -1;
  let r = 0;
  for (; p <= len; p = next) {
    advance();
    if (isBlank(text, p, end)) continue;
    try {
      if (quotePos < p) {
        quotePos = text.indexOf('"', p);
        if (quotePos === -1) quotePos = len + 1;
      }
      let t: number;
      let id = -1;
      // The timestamp as written: fields[timeCol] of a quoted row, else text[ts, te) (no closure: this runs per row).
      let fields: string[] | undefined;
      let ts = 0;
      let te = 0;
      let noClose = false;
      if (quotePos < end) {
        (table.quoted ??= new Uint8Array(cap))[r] = 1;
        const f = (fields = splitCsvLine(text.slice(p, end)));
        if (f.length !== ncols) throw new RowError(`expected ${ncols} columns, found ${f.length}`);
        t = tp.parse(f[timeCol], 0, f[timeCol].length);
        if (long) {
          if (f[symbolCol] === '') id = -2;
          else id = symbolId(f[symbolCol]);
          noClose = isMissingCell(f[closeCol], 0, f[closeCol].length);
        } else for (let col = 0; col < ncols; col++) if (idOfColumn[col] >= 0 && isMissingCell(f[col], 0, f[col].length)) markEmpty(r, idOfColumn[col]);
      } else {
        let ss = 0;
        let se = 0;
        let fs = p;
        let col = 0;
        const cps = table.checkpoints;
        while (true) {
          let ce = text.indexOf(',', fs);
          if (ce === -1 || ce > end) ce = end;
          if (cps && col > 0 && col < ncols && col % STRIDE === 0) cps[r * table.perRow + col / STRIDE - 1] = fs;
          if (col === timeCol) {
            ts = fs;
            te = ce;
          } else if (long) {
            if (col === symbolCol) {
              ss = fs;
              se = ce;
            } else if (col === closeCol) noClose = isMissingCell(text, fs, ce);
          } else if (col < ncols && idOfColumn[col] >= 0 && isMissingCell(text, fs, ce)) markEmpty(r, idOfColumn[col]);
          col++;
          if (ce >= end) break;
          fs = ce + 1;
        }
        if (col !== ncols) throw new RowError(`expected ${ncols} columns, found ${col}`);
        t = tp.parse(text, ts, te);
        if (long) {
          if (prevId >= 0 && se - ss === prevRaw.length && text.startsWith(prevRaw, ss)) id = prevId;
          else {
            const raw = text.slice(ss, se);
            const sym = raw.trim();
            if (sym === '') id = -2;
            else {
              id = symbolId(sym);
              prevRaw = raw;
              prevId = id;
            }
          }
        }
      }
      if (tp.unit !== 'iso') {
        const unit = tp.unit;
        if (unitSeen && unitSeen.unit !== unit) {
          const written = fields ? fields[timeCol] : text.slice(ts, te).trim();
          throw new RowError(`timestamp ${written} is epoch ${unit === 's' ? 'seconds' : 'milliseconds'} but line ${unitSeen.line} is epoch ${unitSeen.unit === 's' ? 'seconds' : 'milliseconds'}`);
        }
        unitSeen ??= { unit, line: lineNo };
      }
      if (id === -2) throw new RowError('symbol is empty');
      if (noClose) continue;
      if (symOfRow) symOfRow[r] = id;
      table.starts[r] = p;
      table.times[r] = t;
      r++;
    } catch (e) {
      if (e instanceof RowError) fail(lineNo, e.message);
      throw e;
    }
  }
  table.count = r;

  const times = table.times;
  const byTime = (a: number, b: number) => times[a] - times[b] || a - b;
  let grouped: Grouped | undefined;
  let order: Int32Array | undefined;
  if (symOfRow) {
    const start = new Int32Array(symbols.length + 1);
    for (let i = 0; i < r; i++) start[symOfRow[i] + 1]++;
    for (let k = 0; k < symbols.length; k++) start[k + 1] += start[k];
    const fill = start.slice(0, symbols.length);
    const rows = new Int32Array(r);
    for (let i = 0; i < r; i++) rows[fill[symOfRow[i]]++] = i;
    for (let k = 0; k < symbols.length; k++) {
      const own = rows.subarray(start[k], start[k + 1]);
      if (!isSorted(own, times)) own.sort(byTime);
    }
    grouped = { rows, start };
  } else {
    const all = Int32Array.from({ length: r }, (_, i) => i);
    if (!isSorted(all, times)) order = all.sort(byTime);
  }
  return new CsvIndex(text, name, layout, symbols, table, grouped, columnOf, order, opts);
}

/** Whether rows (ascending indices) have non-decreasing times. */
function isSorted(rows: Int32Array, times: Float64Array): boolean {
  for (let i = 1; i < rows.length; i++) if (times[rows[i]] < times[rows[i - 1]]) return false;
  return true;
}
