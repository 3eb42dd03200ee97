/**
 * Lines and fields of a CSV price file, shared by the eager index (csv-index.ts) and the lazy price parser
 * (csv-series.ts). Lines end at `\n` (a `\r` before it is dropped); fields are comma-separated, optionally quoted.
 */

/** A data row is malformed; the caller adds the file name and the line number. */
export class RowError extends Error {}

/** Split one CSV line; fields may be quoted with `"` (`""` is a literal quote). Unquoted fields are trimmed. */
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

/** End of the line starting at `start` in `text`, without its `\r\n` or `\n`. */
export function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  if (nl === -1) return text.length;
  return nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/** 1-based line number of the character at `offset`: counted only when an error needs it. */
export function lineNumberAt(text: string, offset: number): number {
  let n = 1;
  for (let p = text.indexOf('\n'); p !== -1 && p < offset; p = text.indexOf('\n', p + 1)) n++;
  return n;
}

/**
 * Whether the cell `text[start, end)` holds no value: blank, or one of the words spreadsheets and data tools write
 * for a missing number (R's `NA`, pandas' `NaN`, Yahoo's `null`, Excel's `#N/A`, Python's `None`, `N/A`), in any
 * case. Such a cell is a missing bar of its symbol, as an empty one is. A cell starting with a digit, a sign or a dot
 * is decided at its first character.
 */
export function isMissingCell(text: string, start: number, end: number): boolean {
  if (start >= end) return true;
  const c = text.charCodeAt(start);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) return false;
  if (isBlank(text, start, end)) return true;
  if (end - start > 8) return false;
  return MISSING_WORDS.has(text.slice(start, end).trim().toLowerCase());
}

const MISSING_WORDS = new Set(['na', 'nan', 'null', 'none', 'n/a', '#n/a']);

/**
 * Whether `text[start, end)` is blank once trimmed, without slicing it in the usual case (a field that starts with
 * a printable ASCII character is not blank).
 */
export function isBlank(text: string, start: number, end: number): boolean {
  if (start >= end) return true;
  const c = text.charCodeAt(start);
  if (c > 32 && c < 127) return false;
  return text.slice(start, end).trim() === '';
}
