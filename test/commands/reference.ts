/**
 * Plain reference statistics for the tests, written independently of src/stats: two-pass formulas on number
 * arrays, nothing clever. Used to check what the commands answer.
 */
import { readFileSync } from 'node:fs';
import type { Candle } from '../../src/domain/types.js';

export interface WideCsv {
  symbols: string[];
  times: number[];
  closes: Record<string, number[]>;
}

/** Read a wide CSV (timestamp,SYM1,SYM2,...) with no gaps. */
export function readWideCsv(path: string): WideCsv {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const symbols = lines[0].split(',').slice(1);
  const times: number[] = [];
  const closes: Record<string, number[]> = Object.fromEntries(symbols.map((s) => [s, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    times.push(Date.parse(cells[0]));
    symbols.forEach((s, i) => closes[s].push(Number(cells[i + 1])));
  }
  return { symbols, times, closes };
}

export interface Returns {
  /** Time of the bar each return ends at. */
  times: number[];
  values: number[];
}

/** Log returns ln(p_k / p_{k-1}), each stamped with the time of bar k. */
export function logReturns(times: number[], closes: number[]): Returns {
  const out: Returns = { times: [], values: [] };
  for (let k = 1; k < closes.length; k++) {
    out.times.push(times[k]);
    out.values.push(Math.log(closes[k] / closes[k - 1]));
  }
  return out;
}

/** Returns of a symbol from candles (consecutive candles; the test checks there is no gap). */
export function candleReturns(candles: Candle[]): Returns {
  return logReturns(
    candles.map((c) => c.t),
    candles.map((c) => c.c),
  );
}

/** The last `n` values ending at (and including) time `at` (default: the end). */
export function windowOf(r: Returns, n: number | 'all', at?: number): Returns {
  let end = r.times.length;
  if (at !== undefined) end = r.times.filter((t) => t <= at).length;
  const start = n === 'all' ? 0 : Math.max(0, end - n);
  return { times: r.times.slice(start, end), values: r.values.slice(start, end) };
}

function mean(x: number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Sample Pearson correlation, two passes (means first, then centred sums). */
export function pearson(x: number[], y: number[]): number {
  if (x.length !== y.length) throw new Error('length mismatch');
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Ranks 1..n, ties getting their average rank. */
export function ranks(x: number[]): number[] {
  const order = x.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(x.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

export function spearman(x: number[], y: number[]): number {
  return pearson(ranks(x), ranks(y));
}

const Z975 = 1.959963984540054;

/** Fisher-z 95% confidence interval of a correlation from n pairs. */
export function fisherCI(r: number, n: number): [number, number] {
  const z = Math.atanh(r);
  const h = Z975 / Math.sqrt(n - 3);
  return [Math.tanh(z - h), Math.tanh(z + h)];
}

/** Fisher z statistic of r1 (n1 pairs) against r2 (n2 pairs). */
export function fisherZ(r1: number, n1: number, r2: number, n2: number): number {
  return (Math.atanh(r1) - Math.atanh(r2)) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3));
}

/** ISO-8601 without milliseconds, as corrwatch prints times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `+0.308` / `-0.012`: the sign and three decimals replies use. */
export function signed3(x: number): string {
  return (x >= 0 ? '+' : '') + x.toFixed(3);
}
