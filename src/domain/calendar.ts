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
