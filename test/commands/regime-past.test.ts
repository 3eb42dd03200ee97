import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDayCloses, tradingDays, writeWideCsv } from '../helpers/business-days.js';
import { ADMIN, csvSource, expectOk, makeEnv, USER, type TestEnv } from './helpers.js';

const DAY = 86_400_000;
const SYMBOLS = ['DAX', 'SMI', 'CAC', 'FTSE'];
/** 1,000 business days ending Friday 1998-08-14 (like R's EuStockMarkets), evaluated in 2025. */
const FIRST = new Date(Date.UTC(1998, 7, 17) - 1400 * DAY).toISOString().slice(0, 10);
const NOW = Date.UTC(2025, 3, 25, 9, 30);

let dir: string;
let env: TestEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-regime-past-'));
  const path = join(dir, 'eu.csv');
  const times = tradingDays(FIRST, 1000);
  expect(new Date(times[times.length - 1]).toISOString()).toBe('1998-08-14T00:00:00.000Z');
  await writeWideCsv(path, businessDayCloses(times, SYMBOLS, 3));
  env = await makeEnv({ market: csvSource(path), now: NOW });
  expectOk(await env.rt.run(ADMIN, `basket create eu ${SYMBOLS.join(' ')} --timeframe 1d --window 30`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('queries on a CSV whose data ends in the past evaluate at its last bar and say so', () => {
  it('regime eu: classified at 1998-08-14, "as of 1998-08-14", instead of "DAX has no 1d bars between ... and now"', async () => {
    const r = await env.rt.run(USER, 'regime eu');
    expectOk(r);
    const data = r.reply.data as { regime: string | null; asOf: string; notes: string[]; reading: { at: string } };
    expect(data.asOf).toBe('1998-08-14');
    expect(data.regime).not.toBeNull();
    expect(data.reading.at).toBe('1998-08-14T00:00:00Z');
    expect(r.reply.title).toContain('(as of 1998-08-14)');
    expect(r.reply.footer).toContain("as of 1998-08-14 (the source's last 1d bar)");
    expect(data.notes).toContain('calendar: weekdays (inferred)');
  });

  it('regime of every basket: the row of the past basket says as of when', async () => {
    const r = await env.rt.run(USER, 'regime');
    expectOk(r);
    const row = (r.reply.data as { basket: string; regime: string | null; asOf?: string; error?: string }[]).find((x) => x.basket === 'eu')!;
    expect(row.error).toBeUndefined();
    expect(row.regime).not.toBeNull();
    expect(row.asOf).toBe('1998-08-14');
    expect(r.reply.text).toContain('(as of 1998-08-14)');
  });

  it('corr, matrix and compare: the window ends at the last bar, and the notes say as of', async () => {
    const note = "as of 1998-08-14 (the source's last 1d bar)";
    for (const line of ['corr DAX SMI --window 60', 'matrix DAX SMI CAC FTSE --window 60', 'compare DAX FTSE --window 60']) {
      const r = await env.rt.run(USER, line);
      expectOk(r);
      const data = r.reply.data as { to: string; notes: string[] };
      expect(data.to, line).toBe('1998-08-14T00:00:00Z');
      expect(data.notes, line).toContain(note);
      expect(r.reply.footer, line).toContain(note);
    }
  });
});
