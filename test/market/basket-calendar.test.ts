import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/domain/calendar.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { calendarNote, resolveBasketCalendar } from '../../src/market/basket-calendar.js';
import { createMarketSource } from '../../src/market/source-factory.js';

/** A source that knows only each symbol's calendar (or nothing about calendars, when `calendars` is undefined). */
function source(calendars?: Record<string, Calendar>): MarketSource {
  return {
    id: 'test:calendars',
    venue: 'test',
    fetchCandles: async () => [],
    listSymbols: async () => Object.keys(calendars ?? {}),
    resolveSymbol: async (s) => s,
    ...(calendars ? { calendar: async (s: string) => calendars[s] } : {}),
  };
}

describe('resolveBasketCalendar', () => {
  it('a crypto+equity basket trades when the equities do', async () => {
    const src = source({ BTC: 'continuous', SPX: 'weekdays', DAX: 'data' });
    expect(await resolveBasketCalendar(src, ['BTC', 'SPX'])).toEqual({ calendar: 'weekdays', origin: 'inferred' });
    expect(await resolveBasketCalendar(src, ['BTC', 'SPX', 'DAX'])).toEqual({ calendar: 'data', origin: 'inferred' });
    expect(await resolveBasketCalendar(src, ['BTC'])).toEqual({ calendar: 'continuous', origin: 'inferred' });
  });

  it('--calendar overrides the source; a source that does not say is continuous', async () => {
    expect(await resolveBasketCalendar(source({ SPX: 'weekdays' }), ['SPX'], 'continuous')).toEqual({ calendar: 'continuous', origin: 'option' });
    expect(await resolveBasketCalendar(source(), ['SPX'])).toEqual({ calendar: 'continuous', origin: 'default' });
  });

  it('the simulator trades around the clock', async () => {
    const sim = createMarketSource('sim:1', { clock: { now: () => Date.UTC(2024, 0, 6) } });
    expect(await resolveBasketCalendar(sim, ['BTC', 'ETH'])).toEqual({ calendar: 'continuous', origin: 'inferred' });
  });

  it('says which calendar was used, and why', () => {
    expect(calendarNote({ calendar: 'weekdays', origin: 'inferred' })).toBe('calendar: weekdays (inferred)');
    expect(calendarNote({ calendar: 'data', origin: 'option' })).toBe('calendar: data (set by --calendar)');
    expect(calendarNote({ calendar: 'continuous', origin: 'default' })).toBe('calendar: continuous (default)');
  });
});
