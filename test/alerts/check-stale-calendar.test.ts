import { describe, expect, it } from 'vitest';
import { checkStale, evaluateBar, initialAlertState, policyConfigProblems, withCalendar, type AlertState, type PolicyConfig } from '../../src/alerts/policy.js';
import { TEST_POLICY } from './test-policy.js';
import { closureAllowanceBars } from '../../src/domain/calendar.js';

const H = 3_600_000;
const D = 86_400_000;
const day = (m: number, d: number, h = 0) => Date.UTC(2024, m - 1, d, h);

/** The state after one calm bar at `at`. */
function after(at: number, cfg: PolicyConfig): AlertState {
  return evaluateBar(initialAlertState(), { at, regime: 'calm', score: 0.2, avgCorrelation: 0.3 }, cfg).state;
}

/** Reasons of checkStale at each of `times`, from the state after one bar at `last` (no bars since). */
function reasons(last: number, times: number[], cfg: PolicyConfig): string[] {
  let state = after(last, cfg);
  return times.map((now) => {
    const d = checkStale(state, now, cfg);
    state = d.state;
    return d.reason;
  });
}

/** Every hour from `from` to `to` inclusive. */
const hourly = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / H) + 1 }, (_, i) => from + i * H);

describe('checkStale counts bars the calendar expects', () => {
  const daily: PolicyConfig = { ...TEST_POLICY, barMs: D, staleBars: 3 };

  it('continuous (the default) is the old rule: stale once now > last + (1 + staleBars) bars', () => {
    const hourlyCfg: PolicyConfig = { ...TEST_POLICY };
    const last = day(1, 1, 10);
    expect(reasons(last, [last + 4 * H], hourlyCfg)).toEqual(['fresh']);
    expect(reasons(last, [last + 4 * H + 1], hourlyCfg)).toEqual(['stale']);
    // stated explicitly, the same
    expect(reasons(last, [last + 4 * H, last + 4 * H + 1], { ...hourlyCfg, calendar: 'continuous', closureBars: 0 })).toEqual(['fresh', 'stale']);
  });

  it('a 24/7 series with missing hours is still reported', () => {
    const cfg: PolicyConfig = { ...TEST_POLICY, calendar: 'continuous' };
    const last = day(1, 6, 13); // a Saturday: weekends are ordinary hours for a market that never closes
    // the 14:00, 15:00 and 16:00 bars are overdue once now > 17:00
    const got = reasons(last, hourly(last + H, last + 6 * H), cfg);
    expect(got).toEqual(['fresh', 'fresh', 'fresh', 'fresh', 'stale', 'stale_hold']);
  });

  it('weekdays, daily bars: never stale over a weekend, checked every hour from Friday to Monday night', () => {
    const cfg: PolicyConfig = { ...daily, calendar: 'weekdays', closureBars: closureAllowanceBars('weekdays', D) };
    const fri = day(1, 5);
    // Monday's bar closes Tuesday 00:00: until then nothing is even overdue
    expect(new Set(reasons(fri, hourly(fri + D, day(1, 9, 6)), cfg))).toEqual(new Set(['fresh']));
    // the same hours on a 24/7 calendar: stale just after Tuesday 00:00 (Saturday, Sunday and Monday overdue)
    const cont = reasons(fri, hourly(fri + D, day(1, 9, 6)), daily);
    expect(cont.indexOf('stale')).toBe(hourly(fri + D, day(1, 9, 6)).findIndex((t) => t > day(1, 9)));
  });

  it('weekdays, daily bars: a one-day holiday after a weekend is quiet; a real outage is still reported', () => {
    const cfg: PolicyConfig = { ...daily, calendar: 'weekdays', closureBars: closureAllowanceBars('weekdays', D) };
    const fri = day(1, 12); // Monday 15th is a holiday; Tuesday's bar would come at Wednesday 00:00
    expect(new Set(reasons(fri, hourly(fri + D, day(1, 17, 12)), cfg))).toEqual(new Set(['fresh']));
    // overdue: Mon, Tue, Wed, Thu at Friday 00:00 + 1 ms = 4 = staleBars 3 + the one-day allowance
    expect(reasons(fri, [day(1, 19)], cfg)).toEqual(['fresh']);
    expect(reasons(fri, [day(1, 19) + 1], cfg)).toEqual(['stale']);
    // even with staleBars 1 the holiday alone is not an outage (Tuesday noon: only Monday's bar is overdue) ...
    expect(reasons(fri, [day(1, 16, 12)], { ...cfg, staleBars: 1 })).toEqual(['fresh']);
    // ... but Tuesday's bar missing too is (Wednesday noon)
    expect(reasons(fri, [day(1, 17, 12)], { ...cfg, staleBars: 1 })).toEqual(['stale']);
  });

  it('weekdays, hourly bars: the weekend and a Monday holiday (24 hours) pass quietly', () => {
    const cfg: PolicyConfig = { ...TEST_POLICY, calendar: 'weekdays', closureBars: closureAllowanceBars('weekdays', H) };
    const last = day(1, 12, 23); // Friday 23:00; Monday 15th closed all day
    const ticks = hourly(last + H, day(1, 16, 2)); // to Tuesday 02:00 (Tuesday 00:00 and 01:00 bars closed)
    expect(new Set(reasons(last, ticks, cfg))).toEqual(new Set(['fresh']));
    // with no bars on Tuesday either, it is an outage by Tuesday 03:00 + 1 ms (24 + 3 weekday hours overdue)
    expect(reasons(last, [day(1, 16, 3)], cfg)).toEqual(['fresh']);
    expect(reasons(last, [day(1, 16, 3) + 1], cfg)).toEqual(['stale']);
  });

  it('data: a quiet day no longer than the longest closure seen is not an outage', () => {
    // A daily series whose longest closure so far was a 4-day Easter (Thursday → Tuesday)
    const cfg: PolicyConfig = { ...daily, calendar: 'data', closureBars: closureAllowanceBars('data', D, 4) };
    const wed = day(5, 1);
    // a Thursday holiday followed by the weekend: at Monday 12:00 Thu, Fri, Sat, Sun are overdue: 4 < 3 + 4
    expect(reasons(wed, [day(5, 6, 12)], cfg)).toEqual(['fresh']);
    // 7 overdue grid bars (Thu ... Wed) is past the allowance
    expect(reasons(wed, [day(5, 9) + 1], cfg)).toEqual(['stale']);
    expect(reasons(wed, [day(5, 9)], cfg)).toEqual(['fresh']);
  });

  it('withCalendar: the calendar and its closure allowance on a policy', () => {
    expect(withCalendar(TEST_POLICY, 'weekdays')).toEqual({ ...TEST_POLICY, calendar: 'weekdays', closureBars: 24 });
    expect(withCalendar(daily, 'data', 4)).toEqual({ ...daily, calendar: 'data', closureBars: 4 });
    expect(withCalendar(daily, 'continuous', 4)).toEqual({ ...daily, calendar: 'continuous', closureBars: 0 });
  });

  it('the policy config is checked: a calendar name and a whole, non-negative closure allowance', () => {
    expect(policyConfigProblems({ ...TEST_POLICY, calendar: 'weekdays', closureBars: 1 })).toEqual([]);
    expect(policyConfigProblems({ ...TEST_POLICY, calendar: 'holidays' as never })).toEqual(['calendar must be one of continuous, weekdays, data, got holidays']);
    expect(policyConfigProblems({ ...TEST_POLICY, closureBars: -1 })).toEqual(['closureBars must be an integer ≥ 0, got -1']);
    expect(() => checkStale(after(day(1, 1), TEST_POLICY), day(1, 2), { ...TEST_POLICY, closureBars: 1.5 })).toThrow(/closureBars/);
  });
});
