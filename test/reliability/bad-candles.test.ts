import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { basket, FakeMarket, Harness } from '../scheduler/fakes.js';

const GOOD = ['AAA', 'BBB', 'CCC'];
const BAD = ['DDD', 'EEE', 'FFF'];

/**
 * Issue 11, fault tests: an exchange that answers candles out of order, twice, with a NaN, zero, negative or infinite
 * close. Every basket ticks: bars are sorted and deduplicated, a bar with no price is left out like a missing one (it
 * used to fail the basket on every tick while it stayed in its history), and nothing goes stale or logs an error.
 */
describe('bad candles from the exchange', () => {
  for (const [name, spoil] of [
    ['out of order and duplicated', (c: Candle[]) => [...c.slice().reverse(), ...c.slice(0, 3)]],
    ['a NaN close', (c: Candle[]) => c.map((k, i) => (i === c.length - 5 ? { ...k, c: Number.NaN } : k))],
    ['a zero close', (c: Candle[]) => c.map((k, i) => (i === c.length - 5 ? { ...k, c: 0 } : k))],
    ['a negative close', (c: Candle[]) => c.map((k, i) => (i === c.length - 5 ? { ...k, c: -1 } : k))],
    ['an infinite close', (c: Candle[]) => c.map((k, i) => (i === c.length - 5 ? { ...k, c: Number.POSITIVE_INFINITY } : k))],
  ] as const) {
    it(`${name}: both baskets tick and classify, no error`, async () => {
      const store = new MemoryStore();
      await store.open([]);
      const market = new FakeMarket().addGroup([...GOOD, ...BAD], 900, [{ from: 0, rho: 0.3, vol: 0.01 }], 11);
      const fetch = market.fetchCandles.bind(market);
      market.fetchCandles = async (symbol, timeframe, since, until) => {
        const got = await fetch(symbol, timeframe, since, until);
        return symbol === 'EEE' ? spoil(got) : got;
      };
      await store.putBasket(basket('good', GOOD));
      await store.putBasket(basket('bad', BAD));
      const h = new Harness(store, market);
      for (const k of [700, 701, 702]) {
        const r = await h.tickAt(k);
        const good = r.baskets.find((b) => b.basket === 'good')!;
        const bad = r.baskets.find((b) => b.basket === 'bad')!;
        expect(good.error).toBeUndefined();
        // The bad bar is left out like a missing one: the basket goes on from the bars around it.
        expect(bad.error).toBeUndefined();
        expect(bad.regime).toBeDefined();
        expect(bad.newBars).toBeGreaterThan(0);
        expect(bad.notifications).not.toContain('stale');
      }
      expect(h.log.lines.filter((l) => l.level === 'error')).toEqual([]);
    });
  }
});
