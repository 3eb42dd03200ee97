import { basketCalendar, type Calendar } from '../domain/calendar.js';
import type { MarketSource } from '../domain/ports.js';

/** Where a basket's calendar came from: the `--calendar` option, the source (inferred per symbol), or the default. */
export type CalendarOrigin = 'option' | 'inferred' | 'default';

export interface BasketCalendar {
  calendar: Calendar;
  origin: CalendarOrigin;
}

/**
 * The calendar a basket's returns and staleness use: the override when given (`--calendar`), else the most
 * restrictive of its symbols' calendars as the source reports them (basketCalendar), else `continuous` for a
 * source that does not say (a market that never closes is the safe reading: a gap is reported, not hidden).
 */
export async function resolveBasketCalendar(source: MarketSource, symbols: string[], override?: Calendar): Promise<BasketCalendar> {
  if (override) return { calendar: override, origin: 'option' };
  if (!source.calendar) return { calendar: 'continuous', origin: 'default' };
  const calendars = await Promise.all(symbols.map((s) => source.calendar!(s)));
  return { calendar: basketCalendar(calendars), origin: 'inferred' };
}

const ORIGIN_TEXT: Record<CalendarOrigin, string> = { option: 'set by --calendar', inferred: 'inferred', default: 'default' };

/** The note replies carry, e.g. `calendar: weekdays (inferred)`. */
export function calendarNote(c: BasketCalendar): string {
  return `calendar: ${c.calendar} (${ORIGIN_TEXT[c.origin]})`;
}
