import { describe, expect, it } from 'vitest';
import { csvSource, makeEnv } from '../commands/helpers.js';
import { CLI, type BacktestAlert, exportEuStockMarkets, rscriptAvailable } from '../helpers/eustock.js';

const DAY = 86_400_000;


/**
 * The detector on real daily closes: R's datasets::EuStockMarkets (DAX, SMI, CAC, FTSE, business days 1991-1998),
 * exported by scripts/export-eustockmarkets.R, replayed by `backtest` with the shipped daily defaults (the weekday
 * calendar is inferred from the file). Issue 9's checks for real data: an episode in force within 10 trading days
 * of the period's major crash that falls after the warm-up (27-28 October 1997), at most 3 episodes a year, and no
 * "data is missing" for weekends or holidays.
 */
describe('EuStockMarkets (real daily closes) through backtest', () => {
  const hasR = rscriptAvailable('the EuStockMarkets backtest');

  it.skipIf(!hasR)('flags the October 1997 crash within 10 trading days, at most 3 episodes a year, no stale data', async () => {
    const path = exportEuStockMarkets();
    const env = await makeEnv({ market: csvSource(path) });
    const res = await env.rt.run(CLI, 'backtest DAX SMI CAC FTSE --timeframe 1d');
    expect(res.outcome, res.reply.text).toBe('ok');
    const data = res.reply.data as { alerts: BacktestAlert[]; bars: number; summary: { notifications: Record<string, number>; episodes: number } };
    expect(data.bars).toBe(1860);
    expect(data.summary.notifications.stale).toBe(0);

    // In force on some trading day within 10 of the crash: fired by then and not resolved in between.
    const crash = Date.parse('1997-10-27T00:00:00Z');
    const tenTradingDaysLater = crash + 14 * DAY;
    const fired = data.alerts.filter((a) => a.state === 'firing' && Date.parse(a.at) <= tenTradingDaysLater).at(-1);
    expect(fired, 'no episode fired by 10 trading days after the crash').toBeDefined();
    const resolvedBefore = data.alerts.some((a) => a.state === 'resolved' && a.episode === fired!.episode && Date.parse(a.at) < crash);
    expect(resolvedBefore).toBe(false);

    const years = (Date.parse('1998-08-14') - Date.parse('1991-07-01')) / (365.25 * DAY);
    expect(data.summary.episodes / years).toBeLessThanOrEqual(3);
  });
});
