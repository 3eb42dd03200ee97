import { fmt } from './sanitize.js';

export interface MatrixSummary {
  n: number;
  /** Mean of the finite upper-triangle values (each pair once, diagonal excluded). */
  mean: number | undefined;
  highest?: { a: string; b: string; v: number };
  lowest?: { a: string; b: string; v: number };
  missing: number;
}

/** Key numbers of a correlation matrix for the subtitle and the alt text. */
export function matrixSummary(symbols: string[], matrix: ArrayLike<number>): MatrixSummary {
  const n = symbols.length;
  let sum = 0;
  let count = 0;
  let missing = 0;
  let highest: MatrixSummary['highest'];
  let lowest: MatrixSummary['lowest'];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = matrix[i * n + j];
      if (!Number.isFinite(v)) {
        missing++;
        continue;
      }
      sum += v;
      count++;
      if (!highest || v > highest.v) highest = { a: symbols[i], b: symbols[j], v };
      if (!lowest || v < lowest.v) lowest = { a: symbols[i], b: symbols[j], v };
    }
  }
  return { n, mean: count > 0 ? sum / count : undefined, highest, lowest, missing };
}

const LISTED = 12;

export function heatmapAlt(symbols: string[], s: MatrixSummary): string {
  const list = symbols.length <= LISTED ? symbols.join(', ') : `${symbols.slice(0, LISTED).join(', ')} and ${symbols.length - LISTED} more`;
  const parts = [`Heatmap of the correlation matrix of ${s.n} symbol${s.n === 1 ? '' : 's'} (${list}), blue = −1, red = +1.`];
  if (s.highest && s.lowest) {
    parts.push(`Highest pair ${s.highest.a}–${s.highest.b} ${fmt(s.highest.v)}, lowest ${s.lowest.a}–${s.lowest.b} ${fmt(s.lowest.v)}, mean pairwise ${fmt(s.mean)}.`);
  }
  if (s.missing > 0) parts.push(`${s.missing} pair${s.missing === 1 ? '' : 's'} without a value.`);
  return parts.join(' ');
}
