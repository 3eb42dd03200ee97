/**
 * Calendars against numbers computed elsewhere (issue 9): the fixtures and calendar_expected.json were made by
 * scripts/make-calendar-fixtures.py with pandas/numpy/scipy (inner join, np.log(p).diff(), scipy p-values), and the
 * full EuStockMarkets by scripts/export-eustockmarkets.R. corrwatch must give the same n and the same statistics.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReturns } from '../../src/query/load-returns.js';
import { csvSource, fixedClock, makeEnv, NOW, USER } from '../commands/helpers.js';
import { logReturns, pearson, readWideCsv, spearman } from '../commands/reference.js';
import { exportEuStockMarkets, rscriptAvailable } from '../helpers/eustock.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'test', 'fixtures');
const expected = JSON.parse(readFileSync(join(FIX, 'calendar_expected.json'), 'utf8'));
const EU = join(FIX, 'eustock_head.csv');
const MIXED = join(FIX, 'mixed_btc_spx.csv');

interface PairStats {
  n: number;
  pearson: { rho: number; pValue: number; ci95: [number, number] };
  spearman: { rho: number; pValue: number };
}

function closeTo(actual: number, wanted: number, what: string, tol = 1e-9) {
  expect(Math.abs(actual - wanted), `${what}: ${actual} vs ${wanted}`).toBeLessThan(tol);
}

/** p-values: within 1e-9, or 1e-6 relative for the tiny ones (what the worked-example tests allow). */
function closeP(actual: number, wanted: number, what: string) {
  const ok = Math.abs(actual - wanted) < 1e-9 || Math.abs(actual - wanted) / wanted < 1e-6;
  expect(ok, `${what}: ${actual} vs ${wanted}`).toBe(true);
}

/** Run a command through the real dispatch on a CSV source; fails the test unless it answers ok. */
async function run(path: string, line: string): Promise<Record<string, unknown>> {
  const env = await makeEnv({ market: csvSource(path) });
  const r = await env.rt.run(USER, line);
  expect(r.outcome, `${line}: ${r.reply.title} ${r.reply.text}`).toBe('ok');
  return r.reply.data as Record<string, unknown>;
}

/** corr of one pair, both methods, against the expected pair statistics. */
async function checkPair(path: string, a: string, b: string, want: PairStats, extra = '') {
  const p = await run(path, `corr ${a} ${b} --window all ${extra}`);
  expect(p.n).toBe(want.n);
  closeTo(p.rho as number, want.pearson.rho, `${a}/${b} pearson`);
  closeP(p.pValue as number, want.pearson.pValue, `${a}/${b} pearson p`);
  const ci = p.ci95 as [number, number];
  closeTo(ci[0], want.pearson.ci95[0], `${a}/${b} ci low`);
  closeTo(ci[1], want.pearson.ci95[1], `${a}/${b} ci high`);
  const s = await run(path, `corr ${a} ${b} --window all --method spearman ${extra}`);
  expect(s.n).toBe(want.n);
  closeTo(s.rho as number, want.spearman.rho, `${a}/${b} spearman`);
  closeP(s.pValue as number, want.spearman.pValue, `${a}/${b} spearman p`);
}

function checkMatrix(got: number[][], want: number[][], what: string) {
  got.forEach((row, i) => row.forEach((v, j) => closeTo(v, want[i][j], `${what}[${i}][${j}]`)));
}

describe('business-day data (the first 300 rows of EuStockMarkets) equals pandas/numpy/scipy', () => {
  const want = expected.eustock_head;

  it('matrix --window all: n = rows − 1 (Friday → Monday is one return), Pearson and Spearman matrices', async () => {
    const m = await run(EU, 'matrix DAX SMI CAC FTSE --window all');
    expect(m.n).toBe(want.n);
    expect(m.n).toBe(299);
    expect([m.from, m.to]).toEqual([want.from, want.to]);
    checkMatrix(m.matrix as number[][], want.pearson, 'pearson');
    expect(m.notes).toContain('calendar: weekdays (inferred)');
    expect(m.notes).toContain("as of 1992-08-21 (the source's last 1d bar)");
    const s = await run(EU, 'matrix DAX SMI CAC FTSE --window all --method spearman');
    checkMatrix(s.matrix as number[][], want.spearman, 'spearman');
  });

  it('corr of every pair: ρ, p-value, 95% CI and n, both methods', async () => {
    for (const [pair, stats] of Object.entries(want.pairs as Record<string, PairStats>)) {
      const [a, b] = pair.split('/');
      await checkPair(EU, a, b, stats);
    }
  });

  it('a window of 60 returns ending on a Monday counts returns, not calendar days', async () => {
    const w = want.window60;
    const got = await run(EU, `corr DAX FTSE --window 60 --at ${w.at}`);
    expect(got.n).toBe(60);
    expect([got.from, got.to]).toEqual([w.from, w.to]);
    closeTo(got.rho as number, w.pearson.rho, 'window rho');
    closeP(got.pValue as number, w.pearson.pValue, 'window p');
  });

  it('--calendar data gives the same numbers; --calendar continuous drops every return across a weekend (the old answer)', async () => {
    const d = await run(EU, 'corr DAX SMI --window all --calendar data');
    expect(d.n).toBe(want.n);
    closeTo(d.rho as number, want.pairs['DAX/SMI'].pearson.rho, 'data calendar');
    expect(d.notes).toContain('calendar: data (set by --calendar)');
    const c = await run(EU, 'corr DAX SMI --window all --calendar continuous');
    expect(c.n).toBe(want.nOneDaySpacing);
    expect((c.notes as string[]).some((n) => n.includes(`${want.n - want.nOneDaySpacing} returns spanning a missing bar dropped`))).toBe(true);
  });
});

describe('a crypto+equity basket (BTC every day, SPX on weekdays with holidays) keeps Monday returns', () => {
  const want = expected.mixed_btc_spx;

  it('corr BTC SPX: n, ρ, p-values and CI equal pandas after an inner join', async () => {
    await checkPair(MIXED, 'BTC', 'SPX', want.pairs['BTC/SPX']);
    const p = await run(MIXED, 'corr BTC SPX --window all');
    expect(p.n).toBe(want.spxDays - 1);
    expect([p.from, p.to]).toEqual([want.from, want.to]);
    expect(p.notes).toEqual(expect.arrayContaining(['calendar: weekdays (inferred)', `dropped bars without a partner in every symbol: BTC ${want.btcDays - want.spxDays}; ${want.spxDays} aligned bars kept`]));
    expect((p.notes as string[]).some((n) => n.includes('spanning'))).toBe(false);
  });

  it('the returns: one per aligned bar after the first, Mondays included (BTC’s Monday return spans Friday → Monday)', async () => {
    const rw = await loadReturns(csvSource(MIXED), ['BTC', 'SPX'], '1d', { kind: 'all' }, undefined, { clock: fixedClock(NOW), maxBars: 10_000 });
    expect(rw.times.length).toBe(want.n);
    expect([...rw.times].filter((t) => new Date(t).getUTCDay() === 0 || new Date(t).getUTCDay() === 6)).toEqual([]);
    expect([...rw.times].filter((t) => new Date(t).getUTCDay() === 1).length).toBe(want.mondayReturns);
    // BTC's return ending Monday 2023-01-09 is ln(close Mon / close Fri 2023-01-06), read straight from the file
    const csv = readFileSync(MIXED, 'utf8').split('\n');
    const close = (date: string) => Number(csv.find((l) => l.startsWith(date))!.split(',')[1]);
    const k = rw.times.indexOf(Date.UTC(2023, 0, 9));
    expect(rw.returns[0][k]).toBe(Math.log(close('2023-01-09') / close('2023-01-06')));
  });

  it('a 60-return window ending the day after Christmas', async () => {
    const w = want.window60;
    const got = await run(MIXED, `corr BTC SPX --window 60 --at ${w.at}`);
    expect(got.n).toBe(60);
    expect([got.from, got.to]).toEqual([w.from, w.to]);
    closeTo(got.rho as number, w.pearson.rho, 'window rho');
  });

  it('the real CLI (--json) gives the same matrix', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), 'matrix', 'BTC', 'SPX', '--window', 'all', '--source', `csv:${MIXED}`, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CORRWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'cw-cal-')) },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const got = JSON.parse(r.stdout);
    expect(got.n).toBe(want.n);
    checkMatrix(got.matrix, want.pearson, 'cli pearson');
  });
});

describe('the whole of EuStockMarkets (exported by scripts/export-eustockmarkets.R)', () => {
  const hasR = rscriptAvailable('the full EuStockMarkets test');

  it.skipIf(!hasR)('1,860 business days give n = 1,859 returns and the same ρ as a plain two-pass reference', async () => {
    const path = exportEuStockMarkets();
    const ref = readWideCsv(path);
    expect(ref.times.length).toBe(1860);
    const m = await run(path, 'matrix DAX SMI CAC FTSE --window all');
    expect(m.n).toBe(1859);
    expect(m.notes).toContain("as of 1998-08-14 (the source's last 1d bar)");
    const ret = ref.symbols.map((s) => logReturns(ref.times, ref.closes[s]).values);
    const matrix = m.matrix as number[][];
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) closeTo(matrix[i][j], pearson(ret[i], ret[j]), `${ref.symbols[i]}/${ref.symbols[j]}`);
    const s = await run(path, 'corr DAX FTSE --window all --method spearman');
    expect(s.n).toBe(1859);
    closeTo(s.rho as number, spearman(ret[0], ret[3]), 'DAX/FTSE spearman');
  });
});
