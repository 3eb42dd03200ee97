import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/domain/random.js';
import { describeCalendar, inferCalendar } from '../../src/market/csv-calendar.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.UTC(2021, 0, 4); // a Monday

/** Grid times from START over `days` days at `step`, kept where `keep` says. */
function series(days: number, step: number, keep: (t: number, i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0, t = START; t < START + days * DAY; i++, t += step) if (keep(t, i)) out.push(t);
  return out;
}
const dow = (t: number) => new Date(t).getUTCDay();
const weekday = (t: number) => dow(t) !== 0 && dow(t) !== 6;
const hour = (t: number) => new Date(t).getUTCHours();

/** About 10 exchange holidays a year, on weekdays. */
function holidays(seed: number, days: number): Set<number> {
  const rand = mulberry32(seed);
  const out = new Set<number>();
  while (out.size < Math.round((days / 365) * 10)) {
    const d = START / DAY + Math.floor(rand() * days);
    if (weekday(d * DAY)) out.add(d);
  }
  return out;
}
const dayOf = (t: number) => Math.floor(t / DAY);

describe('calendar inference from timestamps', () => {
  it('24/7 hourly crypto with a few missing hours: continuous', () => {
    const missing = new Set([100, 2000, 2001, 5000, 8000]);
    const r = inferCalendar(series(365, HOUR, (_, i) => !missing.has(i)), HOUR);
    expect(r.calendar).toBe('continuous');
    expect(r.reason).toBe('no closures: 99.9% of the 8,760 1h bars of its span present (5 missing)');
  });

  it('24/7 hourly with a two-day outage: still continuous (a gap, not a closure)', () => {
    expect(inferCalendar(series(365, HOUR, (_, i) => i < 3000 || i >= 3048), HOUR).calendar).toBe('continuous');
  });

  it('daily BTC, every day of the week: continuous', () => {
    expect(inferCalendar(series(730, DAY, () => true), DAY).calendar).toBe('continuous');
  });

  it('daily business days with holidays: weekdays', () => {
    const hol = holidays(1, 1095);
    const r = inferCalendar(series(1095, DAY, (t) => weekday(t) && !hol.has(dayOf(t))), DAY);
    expect(r.calendar).toBe('weekdays');
    expect(r.reason).toMatch(/^closed on Saturdays and Sundays \(UTC\): 0 weekend bars, 30 of 78\d weekdays closed \(holidays\)$/);
  });

  it('daily business days with a rare Saturday session and a missing day: weekdays', () => {
    const hol = holidays(2, 730);
    const times = series(730, DAY, (t, i) => (weekday(t) && !hol.has(dayOf(t)) && i !== 300) || i === 61);
    expect(inferCalendar(times, DAY).calendar).toBe('weekdays');
  });

  it('hourly around the clock on weekdays (an overnight session every weekday), with holidays: weekdays', () => {
    const hol = holidays(3, 365);
    const r = inferCalendar(series(365, HOUR, (t, i) => weekday(t) && !hol.has(dayOf(t)) && i % 997 !== 0), HOUR);
    expect(r.calendar).toBe('weekdays');
    expect(r.reason).toContain('of the 1h bars of open weekdays present');
  });

  it('intraday equity session hours: data', () => {
    const hol = holidays(4, 365);
    const session = (t: number) => weekday(t) && !hol.has(dayOf(t));
    const hourly = inferCalendar(series(365, HOUR, (t) => session(t) && hour(t) >= 14 && hour(t) <= 20), HOUR);
    expect(hourly.calendar).toBe('data');
    expect(hourly.reason).toMatch(/^irregular, session hours/);
    const fiveMin = series(120, 5 * MIN, (t) => session(t) && t % DAY >= 14.5 * HOUR && t % DAY < 21 * HOUR);
    expect(inferCalendar(fiveMin, 5 * MIN).calendar).toBe('data');
  });

  it('random closures: data', () => {
    const rand = mulberry32(5);
    const everyDay = series(730, DAY, () => rand() > 0.25);
    expect(inferCalendar(everyDay, DAY).calendar).toBe('data');
    const businessDays = series(730, DAY, (t) => weekday(t) && rand() > 0.3);
    expect(inferCalendar(businessDays, DAY).calendar).toBe('data');
  });

  it('a daily closed hour of an otherwise 24/7 market (maintenance): data, not gaps every day', () => {
    expect(inferCalendar(series(90, HOUR, (t) => hour(t) !== 21), HOUR).calendar).toBe('data');
  });

  it('a week that opens Sunday 22:00 UTC and closes Friday 22:00 UTC (FX): data', () => {
    const fx = series(365, HOUR, (t) => {
      const d = dow(t);
      return (d >= 1 && d <= 4) || (d === 5 && hour(t) < 22) || (d === 0 && hour(t) >= 22);
    });
    expect(inferCalendar(fx, HOUR).calendar).toBe('data');
  });

  it('too little data to show closures: continuous', () => {
    expect(inferCalendar([START], DAY).calendar).toBe('continuous');
    expect(inferCalendar([START, START + DAY, START + 2 * DAY], DAY).calendar).toBe('continuous');
    // Friday then Monday: the weekend is closed, nothing else is.
    expect(inferCalendar([START + 4 * DAY, START + 7 * DAY], DAY).calendar).toBe('weekdays');
  });

  it('bars longer than a day show no weekly pattern: continuous when filled, else data', () => {
    expect(inferCalendar(series(700, 7 * DAY, () => true), 7 * DAY).calendar).toBe('continuous');
    expect(inferCalendar(series(700, 7 * DAY, (_, i) => i % 3 !== 0), 7 * DAY).calendar).toBe('data');
  });

  it('says it in a note', () => {
    const r = inferCalendar(series(730, DAY, () => true), DAY);
    expect(describeCalendar('BTC', r)).toBe('BTC: continuous calendar (no closures: 100.0% of the 730 1d bars of its span present (0 missing))');
  });
});
