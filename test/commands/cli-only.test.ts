import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Invocation } from '../../src/domain/invocation.js';
import { WIDE_CSV, expectOk, expectUserError, makeEnv, type TestEnv } from './helpers.js';
import { iso, readWideCsv } from './reference.js';

/** The CLI's caller: always an admin, surface 'cli'. */
const CLI: Invocation = { platform: 'cli', userId: 'tester', channelId: 'cli', isAdmin: true };

interface BacktestData {
  basket: string;
  symbols: string[];
  timeframe: string;
  window: number;
  bars: number;
  from: string | null;
  to: string | null;
  alerts: { at: string; state: string; regime: string }[];
  summary: { returns: number; firstDecisionAt: string | null; regimeBars: Record<string, number>; notifications: Record<string, number> };
}

describe('backtest (CLI only)', () => {
  let env: TestEnv;
  const csv = readWideCsv(WIDE_CSV);
  beforeAll(async () => {
    env = await makeEnv({ market: 'csv' });
  });

  it('replays an ad-hoc basket from the CSV file: every bar after warm-up is in one regime', async () => {
    const r = await env.rt.run(CLI, 'backtest AAA BBB CCC DDD --window 30');
    expectOk(r);
    const d = r.reply.data as BacktestData;
    expect(d).toMatchObject({ basket: 'ad-hoc', symbols: ['AAA', 'BBB', 'CCC', 'DDD'], timeframe: '1d', window: 30, bars: csv.times.length });
    expect(d.from).toBe(iso(csv.times[1]));
    expect(d.to).toBe(iso(csv.times[csv.times.length - 1]));
    expect(d.summary.returns).toBe(csv.times.length - 1);
    const first = Date.parse(d.summary.firstDecisionAt!);
    const decided = csv.times.slice(1).filter((t) => t >= first).length;
    expect(Object.values(d.summary.regimeBars).reduce((a, b) => a + b, 0)).toBe(decided);
    const kinds = ['firing', 'escalated', 'resolved', 'stale', 'recovered'];
    for (const a of d.alerts) expect(kinds).toContain(a.state);
    expect(d.alerts.filter((a) => a.state === 'firing')).toHaveLength(d.summary.notifications.firing);
  });

  it('replays a stored basket on simulated bars between --from and --to', async () => {
    const sim = await makeEnv({ market: 'sim' });
    const r = await sim.rt.run(CLI, 'backtest --basket majors --from 2024-01-01 --to 2024-02-01');
    expectOk(r);
    const d = r.reply.data as BacktestData;
    expect(d).toMatchObject({ basket: 'majors', symbols: ['BTC', 'ETH', 'SOL', 'BNB', 'XRP'], timeframe: '1h', window: 168 });
    expect(d.bars).toBe(31 * 24 + 1);
    // The history before --from warms the detector up, so the return ending at --from is the first one reported.
    expect(d.from).toBe('2024-01-01T00:00:00Z');
    expect(d.to).toBe('2024-02-01T00:00:00Z');
    expect(Date.parse(d.summary.firstDecisionAt!)).toBeLessThan(Date.parse('2024-01-01T00:00:00Z'));
    for (const a of d.alerts) expect(Date.parse(a.at)).toBeGreaterThanOrEqual(Date.parse('2024-01-01T00:00:00Z'));
  });

  it('user errors', async () => {
    expectUserError(await env.rt.run(CLI, 'backtest'), 'give either --basket NAME or two or more symbols');
    expectUserError(await env.rt.run(CLI, 'backtest AAA BBB --basket majors'), 'give either --basket NAME or two or more symbols');
    expectUserError(await env.rt.run(CLI, 'backtest AAA'), 'a backtest needs at least two symbols');
    expectUserError(await env.rt.run(CLI, 'backtest AAA BBX'), 'BBX is not in example_wide.csv; did you mean BBB?');
    expectUserError(await env.rt.run(CLI, 'backtest AAA BBB --window 30 --from 2023-06-01 --to 2023-05-01'), '--from 2023-06-01T00:00:00Z is not before --to 2023-05-01T00:00:00Z');
    expectUserError(await env.rt.run(CLI, 'backtest AAA BBB --window 200'), /the detector needs at least 620 returns .*only 300/);
    expectUserError(await env.rt.run(CLI, 'backtest --basket minors'), 'there is no basket "minors"; did you mean majors?');
    expectUserError(await env.rt.run(CLI, 'backtest AAA BBB --from soon'), /^from: expected an ISO-8601 time/);
  });
});

describe('store move-aside (CLI only)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'corrwatch-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says there is nothing to move, then renames the data file without deleting it', async () => {
    const env = await makeEnv({ config: loadConfig({ CORRWATCH_DATA_DIR: dir }) });
    const none = await env.rt.run(CLI, 'store move-aside');
    expectOk(none);
    expect(none.reply.data).toEqual({ movedTo: null });
    const file = join(dir, 'corrwatch.json');
    writeFileSync(file, '{ not json');
    const r = await env.rt.run(CLI, 'store move-aside');
    expectOk(r);
    const moved = (r.reply.data as { movedTo: string }).movedTo;
    expect(moved.startsWith(file + '.broken-')).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(moved, 'utf8')).toBe('{ not json');
  });

  it('`store` alone explains its subcommand', async () => {
    const env = await makeEnv();
    const r = await env.rt.run(CLI, 'store');
    expectOk(r);
    expect(r.reply.text).toContain('store move-aside — rename a corrupt or unreadable data file');
  });
});
