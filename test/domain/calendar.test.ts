import { describe, expect, it } from 'vitest';
import {
  basketCalendar,
  closureAllowanceBars,
  expectedBarsBetween,
  expectsBar,
  historySpanFactor,
  longestClosureBars,
  type Calendar,
} from '../../src/domain/calendar.js';

const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;
/** A UTC time from its parts (month 1-based). */
const at = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);

// January 2024: Monday 1st, Friday 5th, Saturday 6th, Sunday 7th, Monday 8th; Monday 15th is a US holiday (MLK day).
const FRI = at(2024, 1, 5);
const MON = at(2024, 1, 8);

/** The definition, bar by bar (for cross-checking the week shortcut): grid bars after `last` closed before `now`. */
function bruteForce(calendar: Calendar, barMs: number, last: number, now: number): number {
  let n = 0;
  for (let t = last + barMs; t + barMs < now; t += barMs) if (expectsBar(calendar, t)) n++;
  return n;
}

describe('expectsBar', () => {
  it('weekdays: Monday to Friday (UTC) only; continuous and data: every bar', () => {
    expect(expectsBar('weekdays', FRI + 23 * H)).toBe(true);
    expect(expectsBar('weekdays', at(2024, 1, 6))).toBe(false);
    expect(expectsBar('weekdays', at(2024, 1, 7, 23))).toBe(false);
    expect(expectsBar('weekdays', MON)).toBe(true);
    for (const c of ['continuous', 'data'] as const) expect(expectsBar(c, at(2024, 1, 6))).toBe(true);
  });
});

describe('expectedBarsBetween (overdue bars: after the last one, closed strictly before now)', () => {
  it('continuous 1h: the policy boundary of old (now > last + (1 + s) bars) is s bars overdue', () => {
    const last = at(2024, 1, 1, 10);
    // bars 11:00, 12:00 closed at 12:00, 13:00; the 13:00 bar closes at 14:00, not before 14:00
    expect(expectedBarsBetween('continuous', H, last, last + 4 * H)).toBe(2);
    // one ms later the 13:00 bar is overdue too
    expect(expectedBarsBetween('continuous', H, last, last + 4 * H + 1)).toBe(3);
    // the next bar has not closed yet: nothing is overdue
    expect(expectedBarsBetween('continuous', H, last, last + H + 30 * MIN)).toBe(0);
    expect(expectedBarsBetween('continuous', H, last, last + 2 * H)).toBe(0);
    expect(expectedBarsBetween('continuous', H, last, last)).toBe(0);
  });

  it('daily bars over a weekend: a 24/7 market misses Saturday and Sunday, a weekday market nothing', () => {
    // Monday noon: Saturday's bar closed Sunday 00:00, Sunday's closed Monday 00:00; Monday's is still open
    expect(expectedBarsBetween('continuous', D, FRI, MON + 12 * H)).toBe(2);
    expect(expectedBarsBetween('weekdays', D, FRI, MON + 12 * H)).toBe(0);
    // Tuesday 00:00:00.001: Monday's bar is overdue
    expect(expectedBarsBetween('weekdays', D, FRI, at(2024, 1, 9) + 1)).toBe(1);
    // Wednesday noon with nothing since Friday: Monday and Tuesday
    expect(expectedBarsBetween('weekdays', D, FRI, at(2024, 1, 10, 12))).toBe(2);
    // `data` counts the grid like continuous (its closures are allowed for by closureAllowanceBars)
    expect(expectedBarsBetween('data', D, FRI, at(2024, 1, 10, 12))).toBe(4);
  });

  it('a Monday holiday of a weekday market: one weekday bar overdue until Tuesday’s arrives', () => {
    const fri = at(2024, 1, 12);
    // Wednesday 01:00, Tuesday's bar (closed at 00:00) not yet in: Monday 15th (holiday) and Tuesday 16th
    expect(expectedBarsBetween('weekdays', D, fri, at(2024, 1, 17, 1))).toBe(2);
    // In a backtest the check runs at the new bar's open time, Tuesday 00:00, when Monday's bar is just closing
    expect(expectedBarsBetween('weekdays', D, fri, at(2024, 1, 16))).toBe(0);
    expect(expectedBarsBetween('weekdays', D, fri, at(2024, 1, 16) + 1)).toBe(1);
  });

  it('intraday bars of a weekday market: the weekend counts nothing, Monday’s hours count one each', () => {
    const last = FRI + 23 * H; // the last hourly bar of Friday
    // Monday 03:30: bars Mon 00:00, 01:00 and 02:00 have closed (02:00 closed at 03:00)
    expect(expectedBarsBetween('weekdays', H, last, MON + 3 * H + 30 * MIN)).toBe(3);
    // A 24/7 market has 48 weekend hours overdue as well
    expect(expectedBarsBetween('continuous', H, last, MON + 3 * H + 30 * MIN)).toBe(51);
    // 15-minute bars from Sunday 23:45 over three weeks and two bars: 3 × 5 × 96 weekday bars, plus Monday 00:00
    const sun = at(2024, 1, 7, 23, 45);
    const now = sun + 21 * D + 2 * 15 * MIN + 1;
    expect(expectedBarsBetween('continuous', 15 * MIN, sun, now)).toBe(3 * 672 + 1);
    expect(expectedBarsBetween('weekdays', 15 * MIN, sun, now)).toBe(3 * 480 + 1);
  });

  it('agrees with the bar-by-bar definition for many offsets, timeframes and calendars', () => {
    const last0 = at(2024, 2, 1, 7);
    for (const barMs of [15 * MIN, H, 4 * H, D, 2 * D, 7 * D]) {
      for (const c of ['continuous', 'weekdays', 'data'] as const) {
        for (let i = 0; i < 40; i++) {
          const last = last0 + i * 37 * MIN - ((last0 + i * 37 * MIN) % barMs);
          const now = last + i * 0.61 * D * (barMs >= D ? 4 : 1) + i * 7 * MIN;
          expect(expectedBarsBetween(c, barMs, last, now), `${c} ${barMs} ${i}`).toBe(bruteForce(c, barMs, last, now));
        }
      }
    }
  });

  it('refuses a bad bar size or a non-finite time', () => {
    expect(() => expectedBarsBetween('continuous', 0, 0, 1)).toThrow(RangeError);
    expect(() => expectedBarsBetween('weekdays', H, NaN, 1)).toThrow(RangeError);
  });
});

describe('closures', () => {
  it('longestClosureBars: the most grid bars absent between consecutive timestamps', () => {
    expect(longestClosureBars([], D)).toBe(0);
    expect(longestClosureBars([MON], D)).toBe(0);
    expect(longestClosureBars([MON, MON + D, MON + 2 * D], D)).toBe(0);
    // Thursday → Tuesday (Good Friday, weekend, Easter Monday): 4 days absent; Friday → Monday: 2
    const thu = at(2024, 3, 28);
    expect(longestClosureBars([FRI, MON], D)).toBe(2);
    expect(longestClosureBars([thu - D, thu, thu + 5 * D, thu + 6 * D], D)).toBe(4);
    expect(longestClosureBars([FRI + 23 * H, MON], H)).toBe(48);
  });

  it('closureAllowanceBars: none for continuous, one day of bars for weekdays, the longest seen for data', () => {
    expect(closureAllowanceBars('continuous', H, 40)).toBe(0);
    expect(closureAllowanceBars('weekdays', D)).toBe(1);
    expect(closureAllowanceBars('weekdays', H)).toBe(24);
    expect(closureAllowanceBars('weekdays', 4 * H)).toBe(6);
    expect(closureAllowanceBars('weekdays', 7 * D)).toBe(1);
    expect(closureAllowanceBars('data', D, 4)).toBe(4);
    expect(closureAllowanceBars('data', D)).toBe(0);
  });
});

describe('basketCalendar, historySpanFactor', () => {
  it('a basket takes its most restrictive symbol’s calendar', () => {
    expect(basketCalendar([])).toBe('continuous');
    expect(basketCalendar(['continuous', 'weekdays'])).toBe('weekdays');
    expect(basketCalendar(['weekdays', 'data', 'continuous'])).toBe('data');
  });

  it('spans', () => {
    expect(historySpanFactor('continuous')).toBe(1);
    expect(historySpanFactor('weekdays')).toBeGreaterThanOrEqual(7 / 5);
  });
});
