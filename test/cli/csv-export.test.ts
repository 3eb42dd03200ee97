import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { seedBaskets } from '../../src/config/baskets.js';
import { LowdbStore } from '../../src/store/index.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { expectAlertsCsv, expectAuditCsv, expectBacktestCsv, expectForecastCsv, expectMatrixCsv } from '../helpers/csv-check.js';
import { generate, HOUR } from '../quality/generate.js';

// --csv FILE on the CLI (issue 14): what --json prints, as CSV, parsed back and compared cell by cell.

const FIX = join(import.meta.dirname, '..', 'fixtures');
const WIDE = `csv:${join(FIX, 'example_wide.csv')}`;
const dir = mkdtempSync(join(tmpdir(), 'cw-csv-cli-'));
const dataDir = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2024, 5, 1, 0, 1);

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CORRWATCH_DATA_DIR: dataDir }, clock: { now: () => NOW } });
  return { code, stdout, stderr };
}

/** `--json --csv FILE`: the JSON printed and the CSV written. */
async function both(args: string[], name: string) {
  const file = join(dir, name);
  const r = await cli([...args, '--json', '--csv', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { json: JSON.parse(r.stdout), csv: readFileSync(file) };
}

describe('--csv FILE', () => {
  it('matrix: one row per symbol, the correlations of the JSON matrix to the last digit', async () => {
    const { json, csv } = await both(['matrix', 'AAA', 'BBB', 'CCC', 'DDD', '--window', 'all', '--source', WIDE], 'matrix.csv');
    expectMatrixCsv(csv, json);
    // text output too (no --json), and the file is rewritten
    const r = await cli(['matrix', 'AAA', 'BBB', '--source', WIDE, '--csv', join(dir, 'matrix.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Correlation matrix: AAA BBB');
    expect(readFileSync(join(dir, 'matrix.csv'), 'utf8').split('\n')[0]).toBe('symbol,AAA,BBB');
  });

  it('forecast: the path rows (at, mean, lo, hi) and the pairs', async () => {
    const { json, csv } = await both(['forecast', 'AAA', 'BBB', 'CCC', '5d', '--source', WIDE], 'forecast.csv');
    expectForecastCsv(csv, json);
  });

  it('backtest: one row per alert, every field of the JSON alerts', async () => {
    const gen = generate({ name: 'csv-export', assets: 3, bars: 1400, seed: 41, df: 5, segments: [{ from: 0, rho: 0.1, vol: 0.01 }, { from: 900, rho: 0.85, vol: 0.02 }, { from: 1150, rho: 0.1, vol: 0.01 }] });
    const closes = gen.returns.map((r) => {
      const p = [100];
      for (let k = 0; k < r.length; k++) p.push(p[k] * Math.exp(r[k]));
      return p;
    });
    const lines = ['timestamp,AAA,BBB,CCC', ...closes[0].map((_, k) => [new Date(Date.UTC(2024, 0, 1) + k * HOUR).toISOString(), ...closes.map((p) => p[k])].join(','))];
    writeFileSync(join(dir, 'episode.csv'), lines.join('\n') + '\n');
    const { json, csv } = await both(['backtest', 'AAA', 'BBB', 'CCC', '--window', '48', '--source', `csv:${join(dir, 'episode.csv')}`], 'backtest.csv');
    expect(json.alerts.length).toBeGreaterThan(0);
    expectBacktestCsv(csv, json);
  });

  it('alerts history and audit: the store\'s records and entries', async () => {
    expect((await cli(['basket', 'set', 'majors', 'window', '100'])).code).toBe(0);
    const config = loadConfig({ CORRWATCH_DATA_DIR: dataDir });
    const store = new LowdbStore(dataDir, config.store);
    await store.open(seedBaskets(config, NOW));
    const rec = (episode: number, kind: NotificationRecord['kind'], at: number): NotificationRecord => ({
      id: `majors:${episode}:${kind}`, basket: 'majors', episode, kind, at, createdAt: at,
      payload: { avgCorrelation: 0.7 + episode / 100, regime: 'stressed' },
      deliveries: { 'slack:C1': { status: 'sent', attempts: 1 }, 'discord:2': { status: 'pending', attempts: 0 } },
    });
    await store.addNotification(rec(1, 'firing', NOW - 5 * HOUR));
    await store.addNotification(rec(2, 'firing', NOW - HOUR));
    await store.close();
    const alerts = await both(['alerts', 'history', 'majors'], 'alerts.csv');
    expect(alerts.json).toHaveLength(2);
    expectAlertsCsv(alerts.csv, alerts.json);
    const audit = await both(['audit', '--basket', 'majors'], 'audit.csv');
    expect(audit.json.map((e: { action: string }) => e.action)).toEqual(['basket.set']);
    expectAuditCsv(audit.csv, audit.json);
  });

  it('a missing folder is a usage error (exit 2) found before the query runs; --csv where no CSV exists is refused', async () => {
    const r = await cli(['matrix', 'AAA', 'BBB', '--source', WIDE, '--csv', join(dir, 'nope', 'm.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`corrwatch: --csv ${join(dir, 'nope', 'm.csv')}: the folder ${join(dir, 'nope')} does not exist\n`);
    expect(r.stdout).toBe('');
    const corr = await cli(['corr', 'AAA', 'BBB', '--source', WIDE, '--csv', join(dir, 'corr.csv')]);
    expect(corr.code).toBe(2);
    expect(corr.stderr).toMatch(/csv/);
    expect(existsSync(join(dir, 'corr.csv'))).toBe(false);
  });
});
