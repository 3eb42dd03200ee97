/**
 * Which calendar (src/domain/calendar.ts) a symbol's timestamps show, on the file's bar grid. Pure: times in,
 * calendar and the reason in words out.
 *
 * - `continuous`: no closures. At least 95% of the grid slots between the first and the last bar hold a bar, and
 *   no time of day is empty on most days (a daily maintenance hour is a closure). An occasional missing bar, or a
 *   short outage, is a gap of a continuous market: reported as missing data, not taken for a closure.
 * - `weekdays`: closed on Saturdays and Sundays (UTC) and open the rest of the time: at most 1% of the bars on a
 *   weekend (a rare special session), at most 10% of weekdays without any bar (holidays, about 4% on exchanges),
 *   and on the weekdays that have bars, at least 95% of their slots filled with no time of day mostly empty. For
 *   daily bars that is "business days with holidays"; for intraday bars it admits markets that trade through the
 *   night on weekdays (a regular overnight session, every weekday), not session hours.
 * - `data`: anything else (session hours, random closures, Sunday-evening opens): the data's own timestamps are
 *   the calendar. It is the safe answer: it never invents missing bars, it only detects fewer.
 * Bars longer than a day, or intervals that do not divide a day, show no weekly pattern: `continuous` when 95% of
 * the slots are filled, else `data`. Fewer than two bars show no closure: `continuous`.
 */
import type { Calendar } from '../domain/calendar.js';
import { msToTimeframe } from '../domain/timeframe.js';

const DAY = 86_400_000;
/** Share of grid slots a continuous series fills (misses at most 1 bar in 20). */
const CONTINUOUS_FILL = 0.95;
/** Share of bars a weekdays series may have on weekends. */
const WEEKEND_BARS = 0.01;
/** Share of weekdays a weekdays series may be closed (holidays, outages). */
const CLOSED_WEEKDAYS = 0.1;
/** Share of its slots an open weekday fills. */
const OPEN_DAY_FILL = 0.95;
/** A time of day empty on more than this share of days is a daily closure (a session, a maintenance hour). */
const TIME_OF_DAY_OPEN = 0.5;

export interface CalendarInference {
  calendar: Calendar;
  /** Why, in words, for a note: "24/7: 99.9% of the 8,760 1h bars present (5 missing)". */
  reason: string;
}

/** The calendar shown by ascending bar open times on a grid of `intervalMs` (see the module comment). */
export function inferCalendar(times: ArrayLike<number>, intervalMs: number): CalendarInference {
  const n = times.length;
  const tf = msToTimeframe(intervalMs);
  if (n < 2) return { calendar: 'continuous', reason: 'too few bars to show closures' };
  const first = times[0];
  const last = times[n - 1];
  const slots = Math.round((last - first) / intervalMs) + 1;
  const fill = n / slots;
  const present = `${pct(fill)} of the ${count(slots)} ${tf} bars of its span present (${count(slots - n)} missing)`;
  if (intervalMs > DAY || DAY % intervalMs !== 0) {
    return fill >= CONTINUOUS_FILL ? { calendar: 'continuous', reason: present } : { calendar: 'data', reason: `irregular: ${present}` };
  }

  const perDay = DAY / intervalMs;
  const firstDay = Math.floor(first / DAY);
  const days = Math.floor(last / DAY) - firstDay + 1;
  const barsOn = new Int32Array(days);
  for (let i = 0; i < n; i++) barsOn[Math.floor(times[i] / DAY) - firstDay]++;
  /** Grid slots of day k inside [first, last]. */
  const slotsOn = (k: number): number => {
    const a = Math.max(first, (firstDay + k) * DAY);
    const b = Math.min(last, (firstDay + k + 1) * DAY - 1);
    return Math.floor((b - first) / intervalMs) - Math.ceil((a - first) / intervalMs) + 1;
  };

  let weekendBars = 0;
  let weekdays = 0;
  let closedWeekdays = 0;
  let openSlots = 0;
  let openBars = 0;
  for (let k = 0; k < days; k++) {
    const expected = slotsOn(k);
    if (expected <= 0) continue;
    if (isWeekend(firstDay + k)) weekendBars += barsOn[k];
    else {
      weekdays++;
      if (barsOn[k] === 0) closedWeekdays++;
      else {
        openSlots += expected;
        openBars += barsOn[k];
      }
    }
  }

  // Times of day mostly empty: counted over whole days only (the first and last may be partial).
  let dailyGapAll = false;
  let dailyGapWeekdays = false;
  if (perDay > 1 && days > 2) {
    const all = new Int32Array(perDay);
    const weekday = new Int32Array(perDay);
    let openInterior = 0;
    for (let k = 1; k < days - 1; k++) if (!isWeekend(firstDay + k) && barsOn[k] > 0) openInterior++;
    for (let i = 0; i < n; i++) {
      const day = Math.floor(times[i] / DAY);
      if (day === firstDay || day === firstDay + days - 1) continue;
      const slot = Math.floor((times[i] - day * DAY) / intervalMs);
      all[slot]++;
      if (!isWeekend(day)) weekday[slot]++;
    }
    const interior = days - 2;
    for (let s = 0; s < perDay; s++) {
      if (all[s] < TIME_OF_DAY_OPEN * interior) dailyGapAll = true;
      if (openInterior > 0 && weekday[s] < TIME_OF_DAY_OPEN * openInterior) dailyGapWeekdays = true;
    }
  }

  if (fill >= CONTINUOUS_FILL && !dailyGapAll) return { calendar: 'continuous', reason: `no closures: ${present}` };
  const openFill = openSlots > 0 ? openBars / openSlots : 0;
  if (
    weekendBars <= WEEKEND_BARS * n &&
    closedWeekdays <= Math.max(1, CLOSED_WEEKDAYS * weekdays) &&
    openFill >= OPEN_DAY_FILL &&
    !dailyGapWeekdays
  ) {
    const hol = closedWeekdays === 0 ? 'no weekday closed' : `${count(closedWeekdays)} of ${count(weekdays)} weekdays closed (holidays)`;
    const intraday = perDay > 1 ? `, ${pct(openFill)} of the ${tf} bars of open weekdays present` : '';
    return { calendar: 'weekdays', reason: `closed on Saturdays and Sundays (UTC): ${count(weekendBars)} weekend bars, ${hol}${intraday}` };
  }
  let why: string;
  if (weekendBars > WEEKEND_BARS * n && fill < CONTINUOUS_FILL) why = `closures that are not weekends: ${present}`;
  else if (dailyGapAll && fill >= CONTINUOUS_FILL) why = 'a time of day without bars on most days';
  else if (openFill < OPEN_DAY_FILL || dailyGapWeekdays) why = `session hours: ${pct(openFill)} of the ${tf} bars of open weekdays present`;
  else why = `closed on ${count(closedWeekdays)} of ${count(weekdays)} weekdays`;
  return { calendar: 'data', reason: `irregular, ${why}` };
}

/** One line for the notes of a command: `BTC: continuous (no closures: ...)`. */
export function describeCalendar(symbol: string, inference: CalendarInference): string {
  return `${symbol}: ${inference.calendar} calendar (${inference.reason})`;
}

/** Saturday or Sunday, for days since 1970-01-01 (a Thursday). */
function isWeekend(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return dow === 0 || dow === 6;
}

function pct(x: number): string {
  return `${(Math.floor(x * 1000) / 10).toFixed(1)}%`;
}

function count(x: number): string {
  return x.toLocaleString('en-US');
}
