/**
 * The header of a CSV price file decides its layout (names case-insensitive):
 * - long: `timestamp,symbol,close`, optionally with `open,high,low,volume`, columns in any order;
 * - wide: `timestamp,SYM1,SYM2,...`;
 * - one symbol: price columns and no symbol column, as Yahoo Finance, Stooq and most download buttons write
 *   (`Date,Open,High,Low,Close,Adj Close,Volume`): the file holds one symbol, named by the file (`SPY.csv` is SPY).
 *   Its price is `Adj Close` when there is one (adjusted for splits and dividends, so a split is no crash), else
 *   `Close`; other columns are ignored.
 * `time`, `date` and `datetime` are accepted as names of the timestamp column.
 *
 * A symbol named by a column or a file must be typeable in a command (SYMBOL_PATTERN: letters and digits): a name
 * with punctuation is served without it (`BTC-USD` as BTCUSD, `^GSPC` as GSPC, `BRK.B` as BRKB), and two columns
 * that would become one symbol are refused.
 */
import { SYMBOL_PATTERN } from '../domain/patterns.js';
import { RowError, splitCsvLine } from './csv-line.js';

export const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type PriceColumn = (typeof PRICE_COLUMNS)[number];

const TIME_COLUMNS = new Set(['timestamp', 'time', 'date', 'datetime']);

export interface CsvLayout {
  /** Column names as written (trimmed). */
  header: string[];
  timeCol: number;
  /** The symbol column of the long layout; -1 for the others. */
  symbolCol: number;
  /** Long layout: where each price column is. */
  priceCols: Partial<Record<PriceColumn, number>>;
  /** Wide and one-symbol layouts: the columns that hold a symbol's prices, and the symbol's name. */
  symbolColumns: { col: number; name: string }[];
}

/** A column's or file's name as a symbol users can type (see the top of this file). */
export function typeableSymbol(name: string): string {
  const trimmed = name.trim();
  if (SYMBOL_PATTERN.test(trimmed)) return trimmed;
  const stripped = trimmed.replace(/[^A-Za-z0-9]/g, '');
  return SYMBOL_PATTERN.test(stripped) ? stripped : trimmed;
}

/** Names of an adjusted close column (Yahoo's `Adj Close`, pandas' `adj_close`, ...). */
const ADJUSTED_CLOSE = new Set(['adj close', 'adj_close', 'adjclose', 'adjusted close', 'adjusted_close', 'adj. close']);

/**
 * The layout of a header line; throws RowError saying what is wrong with it. `fileSymbol` names the symbol of a
 * one-symbol file (the file's name without its extension).
 */
export function parseHeader(line: string, fileSymbol?: string): CsvLayout {
  const header = splitCsvLine(line).map((h) => h.trim());
  if (header.length < 2) {
    const sep = /[;\t|]/.exec(line)?.[0];
    throw new RowError(sep ? `columns must be separated by commas, not "${sep === '\t' ? 'tab' : sep}"` : 'expected a header like timestamp,symbol,close or timestamp,BTC,ETH');
  }
  const lower = header.map((h) => h.toLowerCase());
  const timeCol = lower.findIndex((h) => TIME_COLUMNS.has(h));
  if (timeCol === -1) throw new RowError(`no timestamp column (header: ${header.join(',')})`);
  const seen = new Set<string>();
  lower.forEach((h, i) => {
    if (h === '') throw new RowError(`column ${i + 1} has no name`);
    if (seen.has(h)) throw new RowError(`column "${header[i]}" appears twice`);
    seen.add(h);
  });
  const symbolCol = lower.indexOf('symbol');
  const priceCols: Partial<Record<PriceColumn, number>> = {};
  const isPrice = (h: string): h is PriceColumn => (PRICE_COLUMNS as readonly string[]).includes(h);
  if (symbolCol !== -1) {
    lower.forEach((h, i) => {
      if (i === timeCol || i === symbolCol) return;
      if (!isPrice(h)) throw new RowError(`unknown column "${header[i]}"; the long format is timestamp,symbol,close (optionally open,high,low,volume)`);
      priceCols[h] = i;
    });
    if (priceCols.close === undefined) throw new RowError('the long format needs a close column (timestamp,symbol,close)');
    return { header, timeCol, symbolCol, priceCols, symbolColumns: [] };
  }
  const priceLike = lower.findIndex((h, i) => i !== timeCol && (isPrice(h) || ADJUSTED_CLOSE.has(h)));
  if (priceLike !== -1) {
    // One symbol: its adjusted close, else its close.
    const adjusted = lower.findIndex((h) => ADJUSTED_CLOSE.has(h));
    const col = adjusted !== -1 ? adjusted : lower.indexOf('close');
    if (col === -1) throw new RowError(`has ${header[priceLike]} but no close: a file of one symbol needs a close (or adj close) column`);
    if (fileSymbol === undefined || fileSymbol.trim() === '') {
      throw new RowError(`has a ${lower[priceLike]} column but no symbol column: use timestamp,symbol,close (long) or timestamp,BTC,ETH,... (wide)`);
    }
    return { header, timeCol, symbolCol, priceCols, symbolColumns: [{ col, name: typeableSymbol(fileSymbol) }] };
  }
  const symbolColumns = header.map((h, col) => ({ col, name: typeableSymbol(h) })).filter(({ col }) => col !== timeCol);
  const byName = new Map<string, number>();
  for (const { col, name } of symbolColumns) {
    const other = byName.get(name.toUpperCase());
    if (other !== undefined) throw new RowError(`columns "${header[other]}" and "${header[col]}" are both the symbol ${name}; rename one`);
    byName.set(name.toUpperCase(), col);
  }
  return { header, timeCol, symbolCol, priceCols, symbolColumns };
}
