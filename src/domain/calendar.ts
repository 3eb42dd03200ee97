/**
 * Market calendars: which bars a symbol (or a basket) is expected to have (docs/methods.md, "Market calendars").
 *
 * - `continuous`: every bar of the timeframe grid (crypto on ccxt, the simulator, a CSV with no closures). A grid
 *   bar that is absent is missing data: the return that would span it is dropped and reported.
 * - `weekdays`: bars on Monday to Friday (UTC) only. Weekends are closures, not missing data; so is a single
 *   weekday holiday. Friday → Monday is one return.
 * - `data`: irregular closures (exchange holidays, sessions): the data's own timestamps are the calendar. Every
 *   return between consecutive aligned bars is kept; staleness allows for the longest closure seen in the data.
 *
 * A basket's calendar is the most restrictive of its symbols' (any `data` → `data`; else any `weekdays` →
 * `weekdays`; else `continuous`): a crypto+equity basket trades when the equities do.
 */
export type Calendar = 'continuous' | 'weekdays' | 'data';

export const CALENDARS: readonly Calendar[] = ['continuous', 'weekdays', 'data'];

const RESTRICTIVENESS: Record<Calendar, number> = { continuous: 0, weekdays: 1, data: 2 };

/** The calendar of a basket from its symbols' calendars (the most restrictive; `continuous` for none). */
export function basketCalendar(calendars: Iterable<Calendar>): Calendar {
  let out: Calendar = 'continuous';
  for (const c of calendars) if (RESTRICTIVENESS[c] > RESTRICTIVENESS[out]) out = c;
  return out;
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** Whether the calendar expects a bar opening at `t` (ms, UTC). `data` expects every grid bar: its closures are allowed for by a tolerance (closureAllowanceBars), since the data alone cannot say which days are holidays. */
export function expectsBar(calendar: Calendar, t: number): boolean {
  if (calendar !== 'weekdays') return true;
  const day = new Date(t).getUTCDay();
  return day !== 0 && day !== 6;
}

function assertBarMs(barMs: number): void {
  if (!(barMs > 0) || !Number.isFinite(barMs)) throw new RangeError(`barMs must be a positive finite number of ms, got ${String(barMs)}`);
}

/** Bars with open times first, first + barMs, ... (count of them) that the calendar expects. */
function expectedAmong(calendar: Calendar, barMs: number, first: number, count: number): number {
  if (count <= 0) return 0;
  if (calendar !== 'weekdays') return count;
  let total = 0;
  let start = 0;
  // Every standard timeframe (1m ... 1d, 1w) divides a week: then any run of a week's bars expects the same number
  // of them, so whole weeks are counted once (a month of 1m bars costs one week's loop, not a month's).
  if (WEEK_MS % barMs === 0) {
    const perWeekBars = WEEK_MS / barMs;
    const weeks = Math.floor(count / perWeekBars);
    if (weeks > 0) {
      let perWeek = 0;
      for (let k = 0; k < perWeekBars; k++) if (expectsBar(calendar, first + k * barMs)) perWeek++;
      total = weeks * perWeek;
      start = weeks * perWeekBars;
    }
  }
  for (let k = start; k < count; k++) if (expectsBar(calendar, first + k * barMs)) total++;
  return total;
}

/**
 * Overdue bars: bars of the timeframe grid after the last bar seen (open time lastBarAt + k·barMs, k ≥ 1) that
 * the calendar expects and that closed strictly before `now` (open + barMs < now), so should have arrived. This is
 * what staleness counts: `stale` once it reaches staleBars (plus closureAllowanceBars). For `continuous` and `data`
 * every grid bar counts; for `weekdays` only bars opening Monday to Friday (UTC), so a weekend counts nothing.
 * Strictly before: at exactly lastBarAt + (1 + s)·barMs, s − 1 bars are overdue (the policy's historical boundary).
 */
export function expectedBarsBetween(calendar: Calendar, barMs: number, lastBarAt: number, now: number): number {
  assertBarMs(barMs);
  if (!Number.isFinite(lastBarAt) || !Number.isFinite(now)) throw new RangeError(`expectedBarsBetween: times must be finite, got ${String(lastBarAt)} and ${String(now)}`);
  const closed = Math.max(0, Math.ceil((now - lastBarAt) / barMs) - 2);
  return expectedAmong(calendar, barMs, lastBarAt + barMs, closed);
}

/**
 * The longest closure in the data, in grid bars: max over consecutive timestamps of (spacing / barMs − 1), 0 when
 * every bar follows the previous one (or there are fewer than two). Timestamps ascending.
 */
export function longestClosureBars(timestamps: ArrayLike<number>, barMs: number): number {
  assertBarMs(barMs);
  let longest = 0;
  for (let k = 1; k < timestamps.length; k++) longest = Math.max(longest, Math.round((timestamps[k] - timestamps[k - 1]) / barMs) - 1);
  return longest;
}

/**
 * Expected bars that may be absent in one closure the calendar cannot name, before staleness starts counting:
 * - `continuous`: 0 (a missing bar of a 24/7 market is missing data);
 * - `weekdays`: one day of bars (ceil(1d / barMs): 24 for 1h, 1 for 1d), so a one-day exchange holiday is quiet;
 * - `data`: the longest closure seen in the data (`longestSeen`, from longestClosureBars), so a quiet day in a
 *   daily series with irregular closures is not an outage.
 */
export function closureAllowanceBars(calendar: Calendar, barMs: number, longestSeen = 0): number {
  assertBarMs(barMs);
  if (calendar === 'weekdays') return Math.ceil(DAY_MS / barMs);
  if (calendar === 'data') return Math.max(0, Math.floor(longestSeen));
  return 0;
}

/**
 * How much more calendar time than a 24/7 market a number of bars takes, for sizing what to fetch: 1 for
 * `continuous`; 1.5 for markets that close (7/5 for weekends, with a margin for holidays).
 */
export function historySpanFactor(calendar: Calendar): number {
  return calendar === 'continuous' ? 1 : 1.5;
}
