/**
 * The header of a CSV price file decides its layout (names case-insensitive):
 * - long: `timestamp,symbol,close`, optionally with `open,high,low,volume`, columns in any order;
 * - wide: `timestamp,SYM1,SYM2,...`.
 * `time`, `date` and `datetime` are accepted as names of the timestamp column.
 */
import { RowError, splitCsvLine } from './csv-line.js';

export const PRICE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
export type PriceColumn = (typeof PRICE_COLUMNS)[number];

const TIME_COLUMNS = new Set(['timestamp', 'time', 'date', 'datetime']);

export interface CsvLayout {
  /** Column names as written (trimmed). */
  header: string[];
  timeCol: number;
  /** The symbol column of the long layout; -1 for the wide one. */
  symbolCol: number;
  /** Long layout: where each price column is. */
  priceCols: Partial<Record<PriceColumn, number>>;
}

/** The layout of a header line; throws RowError saying what is wrong with it. */
export function parseHeader(line: string): CsvLayout {
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
  } else {
    lower.forEach((h, i) => {
      if (i !== timeCol && isPrice(h)) {
        throw new RowError(`has a ${h} column but no symbol column: use timestamp,symbol,close (long) or timestamp,BTC,ETH,... (wide)`);
      }
    });
  }
  return { header, timeCol, symbolCol, priceCols };
}
