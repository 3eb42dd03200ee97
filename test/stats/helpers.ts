import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';

/** Seeded PRNG (mulberry32) so every random test is reproducible. */
export const rng = mulberry32;

/** Standard normal draws (Box–Muller) from a uniform generator. */
export function gaussian(u: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Wide fixture: closes[i] for each symbol, timestamps as ISO strings. */
export function loadWideFixture(): { symbols: string[]; times: string[]; closes: Float64Array[] } {
  const path = fileURLToPath(new URL('../fixtures/example_wide.csv', import.meta.url));
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const symbols = lines[0].split(',').slice(1);
  const rows = lines.slice(1).map((l) => l.split(','));
  const closes = symbols.map((_, i) => Float64Array.from(rows, (r) => Number(r[i + 1])));
  return { symbols, times: rows.map((r) => r[0]), closes };
}

export function loadExpected(): Record<string, Record<string, unknown>> {
  const path = fileURLToPath(new URL('../fixtures/expected.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
}

/** |a − b| <= tol elementwise, reporting the first offending index. */
export function expectAllClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let k = 0; k < a.length; k++) {
    if (!(Math.abs(a[k] - b[k]) <= tol)) expect.fail(`index ${k}: ${a[k]} vs ${b[k]} (tol ${tol})`);
  }
}

/** |a − b| <= rel·|b| */
export function expectRelClose(a: number, b: number, rel: number): void {
  if (!(Math.abs(a - b) <= rel * Math.abs(b))) expect.fail(`${a} vs ${b}: relative error ${Math.abs(a - b) / Math.abs(b)} > ${rel}`);
}
