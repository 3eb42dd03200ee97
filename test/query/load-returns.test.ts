import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvSource } from '../../src/market/csv-source.js';
import { loadReturns } from '../../src/query/load-returns.js';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 6); // a Saturday: a 24/7 market trades through it
const BARS = 200;
const MISSING = 100;

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-load-returns-'));
  path = join(dir, 'hourly.csv');
  const lines = ['timestamp,BTC,ETH'];
  for (let k = 0; k < BARS; k++) {
    if (k === MISSING) continue;
    lines.push(`${new Date(T0 + k * H).toISOString()},${(100 + Math.sin(k)).toFixed(4)},${(10 + Math.cos(k / 3)).toFixed(4)}`);
  }
  await writeFile(path, lines.join('\n') + '\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = { clock: { now: () => T0 + BARS * H }, maxBars: 10_000 };

describe('loadReturns on a 24/7 series with a missing hour', () => {
  it('continuous (inferred): the return spanning the missing hour is dropped and reported', async () => {
    const rw = await loadReturns(createCsvSource(path), ['BTC', 'ETH'], '1h', { kind: 'all' }, undefined, opts);
    // 199 bars, 198 returns between them, one of which spans hours 99 → 101
    expect(rw.times.length).toBe(BARS - 3);
    expect([...rw.times]).not.toContain(T0 + (MISSING + 1) * H);
    expect(rw.notes).toEqual(['calendar: continuous (inferred)', `BTC: 1 1h bar missing between ${new Date(T0).toISOString().replace('.000Z', 'Z')} and ${new Date(T0 + (BARS - 1) * H).toISOString().replace('.000Z', 'Z')}`, expect.stringContaining('ETH: 1 1h bar missing'), '1 return spanning a missing bar dropped']);
  });

  it('--calendar data keeps the return across the hole: the option decides', async () => {
    const rw = await loadReturns(createCsvSource(path), ['BTC', 'ETH'], '1h', { kind: 'all' }, undefined, { ...opts, calendar: 'data' });
    expect(rw.times.length).toBe(BARS - 2);
    expect(rw.notes).toEqual(['calendar: data (set by --calendar)']);
  });

  it('a window counts returns back from the last bar (no as-of note: the data is current)', async () => {
    const rw = await loadReturns(createCsvSource(path), ['BTC', 'ETH'], '1h', { kind: 'count', returns: 50 }, undefined, opts);
    expect(rw.times[rw.times.length - 1]).toBe(T0 + (BARS - 1) * H);
    expect(rw.notes.some((n) => n.startsWith('as of'))).toBe(false);
  });
});
