import { describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/domain/calendar.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { barTime, basket, FakeMarket, Harness } from './fakes.js';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
const WEEK = 168;
/** Bar k's day of the week, 0 = Monday (bar 0 opens Monday 2024-01-01 00:00 UTC). */
const weekday = (k: number) => Math.floor(k / 24) % 7;

/** The fake market of the watcher tests, saying which calendar it trades on. */
class CalendarMarket extends FakeMarket {
  constructor(readonly cal: Calendar) {
    super();
  }

  async calendar(): Promise<Calendar> {
    return this.cal;
  }
}

/** Hourly bars on weekdays only (weekend hours never served), with whole-day holidays on the given days. */
async function weekdayHarness(cal: Calendar, holidays: number[], bars = 12 * WEEK): Promise<Harness> {
  const store = new MemoryStore();
  await store.open([]);
  const market = new CalendarMarket(cal).addGroup(SYMBOLS, bars, [{ from: 0, rho: 0.3, vol: 0.01 }], 7);
  for (let k = 0; k <= bars; k++) if (weekday(k) >= 5 || holidays.includes(Math.floor(k / 24))) market.holes.add(k);
  await store.putBasket(basket('eq', SYMBOLS));
  return new Harness(store, market);
}

/** Tick every hour over [from, to]; the notifications of each tick that notified something. */
async function tickHourly(h: Harness, from: number, to: number): Promise<[number, string[]][]> {
  const out: [number, string[]][] = [];
  for (let k = from; k <= to; k++) {
    const r = await h.tickAt(k);
    expect(r.baskets[0].error, `tick ${k}`).toBeUndefined();
    if (r.baskets[0].notifications.length) out.push([k, r.baskets[0].notifications]);
  }
  return out;
}

describe('Watcher on a market that closes: no stale for weekends and holidays', () => {
  // Day 7·7 = Monday of week 7 is a holiday, and so is the Wednesday of week 8 (day 58).
  const HOLIDAYS = [49, 58];

  it('weekdays: two weekends, a Monday holiday and a Wednesday holiday pass without a word', async () => {
    const h = await weekdayHarness('weekdays', HOLIDAYS);
    const first = await h.tickAt(6 * WEEK + 100); // Friday of week 6, 04:00: history replayed silently
    expect(first.baskets[0].regime).toBeDefined();
    expect(await tickHourly(h, 6 * WEEK + 101, 8 * WEEK + 100)).toEqual([]);
    // Monday's first bar after the holiday weekend is fed as a return from Friday 23:00 (one return, not a gap)
    const points = (await h.store.getRuntime('eq'))!.history.map((p) => p.at);
    expect(points).toContain(barTime(7 * WEEK + 24)); // Tuesday 00:00 after the Monday holiday
    expect(points).toContain(barTime(8 * WEEK)); // Monday 00:00 of week 8
    expect(points.filter((t) => weekday((t - barTime(0)) / 3_600_000) >= 5)).toEqual([]);
  });

  it('the same bars read as a 24/7 market are reported missing on the first weekend (the test can tell)', async () => {
    const h = await weekdayHarness('continuous', HOLIDAYS);
    await h.tickAt(6 * WEEK + 100);
    const notified = await tickHourly(h, 6 * WEEK + 101, 6 * WEEK + 170);
    // Friday 23:00 is the last bar; Saturday 00:00, 01:00 and 02:00 are overdue at 03:00 + 1 min
    expect(notified[0]).toEqual([6 * WEEK + 123, ['stale']]);
  });

  it('weekdays, but a whole trading day and more without bars is still an outage', async () => {
    const h = await weekdayHarness('weekdays', []);
    await h.tickAt(6 * WEEK + 100);
    h.market.available = 7 * WEEK + 30; // nothing after Tuesday 05:00 of week 7
    const notified = await tickHourly(h, 6 * WEEK + 101, 7 * WEEK + 70);
    // last bar Tuesday 05:00 (bar 7W + 29); stale once 24 (the holiday allowance) + 3 weekday hours are overdue:
    // bars 7W+30 ... 7W+56 closed, i.e. the tick after bar 7W + 57 opened
    expect(notified).toEqual([[7 * WEEK + 57, ['stale']]]);
  });
});

describe('Watcher on a 24/7 market: a missing hour is still missing data', () => {
  it('a hole of five hours on a Saturday: `stale`, then `recovered`', async () => {
    const store = new MemoryStore();
    await store.open([]);
    const market = new CalendarMarket('continuous').addGroup(SYMBOLS, 1400, [{ from: 0, rho: 0.3, vol: 0.01 }], 5);
    const sat = 5 * 24 + 3 * WEEK; // Saturday of week 3, 00:00
    for (let k = sat + 10; k < sat + 15; k++) market.holes.add(k);
    await store.putBasket(basket('majors', SYMBOLS));
    const h = new Harness(store, market);
    await h.tickAt(sat);
    const notified = await tickHourly(h, sat + 1, sat + 20);
    expect(notified).toEqual([
      [sat + 13, ['stale']],
      [sat + 17, ['recovered']],
    ]);
  });
});
