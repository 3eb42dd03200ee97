import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, dispatch } from '../../commands/index.js';
import type { CommandContext } from '../../commands/types.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { createCsvSource } from '../../src/market/csv-source.js';
import { businessDayCloses, tradingDays, writeWideCsv } from '../helpers/business-days.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
/**
 * Exchange holidays of three years: single days after and before weekends and mid-week, Good Friday with Easter
 * Monday (Thursday → Tuesday), Christmas and Boxing Day on Wednesday-Thursday, and Friday-Monday.
 */
const HOLIDAYS = [
  '2019-01-01', '2019-01-21', '2019-04-19', '2019-04-22', '2019-07-04', '2019-11-28', '2019-12-25', '2019-12-26',
  '2020-01-01', '2020-04-10', '2020-04-13', '2020-05-25', '2020-12-25', '2020-12-28',
  '2021-01-01', '2021-04-02', '2021-04-05', '2021-07-05',
];
const DAYS = 760;

let dir: string;
let path: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corrwatch-backtest-calendar-'));
  path = join(dir, 'business.csv');
  await writeWideCsv(path, businessDayCloses(tradingDays('2019-01-02', DAYS, HOLIDAYS), SYMBOLS, 11));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(): CommandContext {
  return {
    invocation: { platform: 'cli', userId: 'tester', channelId: 'cli', isAdmin: true },
    config: loadConfig({}),
    clock: { now: () => Date.UTC(2030, 0, 1) },
    log: silentLogger,
    market: createCsvSource(path),
    services: { version: 'test' },
    renderCharts: false,
    surface: 'cli',
  };
}

interface BacktestData {
  summary: { returns: number; notifications: Record<string, number>; notes: string[] };
  alerts: { state: string; at: string }[];
}

async function backtest(extra: string[] = []): Promise<BacktestData> {
  const res = await dispatch(commands, ['backtest', ...SYMBOLS, '--window', '20', '--source', `csv:${path}`, '--json', ...extra], context());
  expect(res.outcome, `${res.reply.title}: ${res.reply.text}`).toBe('ok');
  return res.reply.data as BacktestData;
}

describe('backtest on business-day data: no stale for weekends and holidays', () => {
  it('the calendar inferred from the file: every return between trading days kept, no stale, no recovered', async () => {
    const data = await backtest();
    expect(data.summary.returns).toBe(DAYS - 1);
    expect(data.summary.notifications.stale).toBe(0);
    expect(data.summary.notifications.recovered).toBe(0);
    expect(data.alerts.filter((a) => a.state === 'stale' || a.state === 'recovered')).toEqual([]);
    expect(data.summary.notes.some((n) => /^calendar: (weekdays|data) \(inferred\)$/.test(n))).toBe(true);
  });

  it('the same with the calendar given: weekdays (one day of holiday allowed) and data (the longest closure seen)', async () => {
    for (const calendar of ['weekdays', 'data']) {
      const data = await backtest(['--calendar', calendar]);
      expect(data.summary.returns).toBe(DAYS - 1);
      expect(data.summary.notifications.stale, calendar).toBe(0);
      expect(data.summary.notes).toContain(`calendar: ${calendar} (set by --calendar)`);
    }
  });

  it('read as a 24/7 market, long weekends are missing data (stale, and the returns across them dropped)', async () => {
    const data = await backtest(['--calendar', 'continuous']);
    expect(data.summary.returns).toBeLessThan(DAYS * 0.8);
    // Thursday → Tuesday (Easter) has Friday, Saturday and Sunday overdue: 3 = staleBars
    expect(data.summary.notifications.stale).toBeGreaterThan(0);
    expect(data.summary.notifications.recovered).toBe(data.summary.notifications.stale);
  });
});
