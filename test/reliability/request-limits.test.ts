import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/types.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { MAX_BASKET_BARS, MAX_SYMBOLS } from '../../src/domain/limits.js';
import { ADMIN, USER, expectOk, expectUserError, makeEnv, simSource, storeSnapshot } from '../commands/helpers.js';
import { fixedClock, NOW } from '../commands/helpers.js';
import type { Invocation } from '../../src/domain/invocation.js';

const CLI: Invocation = { platform: 'cli', userId: 'tester', channelId: 'cli', isAdmin: true };

/** The simulator, counting the candles it is asked for (what an exchange would be asked to send). */
function countingSim(): { market: MarketSource; bars: () => number } {
  const sim = simSource(fixedClock(NOW));
  let bars = 0;
  const market: MarketSource = {
    ...sim,
    id: sim.id,
    venue: sim.venue,
    async fetchCandles(symbol, timeframe, since, until, opts): Promise<Candle[]> {
      const got = await sim.fetchCandles(symbol, timeframe, since, until, opts);
      bars += got.length;
      return got;
    },
  };
  return { market, bars: () => bars };
}

// Issue 11 §1: any chat user could ask for a window of 99,999,999 one-minute bars (thousands of exchange requests,
// gigabytes), an admin could set a basket window no basket ever fills, and backtest took any number of symbols.
describe('limits on what one request may ask for', () => {
  it('a query window over market.maxBars is refused before any candle is fetched, with the bound and what to do', async () => {
    const { market, bars } = countingSim();
    const env = await makeEnv({ market });
    const text = expectUserError(await env.rt.run(USER, 'corr BTC ETH 99999999 --timeframe 1m'), /99999999 1m returns\)? needs \d+ bars, more than corrwatch fetches for one request \(5000\)/);
    expect(text).toMatch(/smaller window or a larger timeframe/);
    expect(bars()).toBe(0);
    // compare loads two windows: 3000 returns twice is over the bound too
    expectUserError(await env.rt.run(USER, 'compare BTC ETH 3000'), /this query \(2 windows of 3000 1h returns\) needs 6000 bars/);
    // at the bound it works
    expectOk(await env.rt.run(USER, 'corr BTC ETH 2000'));
  });

  it('a basket window or baseline over the bar limit is refused, and the basket stays as it was', async () => {
    const env = await makeEnv();
    const before = await storeSnapshot(env.store);
    expectUserError(await env.rt.run(ADMIN, 'basket set majors window 99999999'), new RegExp(`window: 99999999 of 1h bars is 99999999 bars; a basket's window spans at most ${MAX_BASKET_BARS} bars`));
    expectUserError(await env.rt.run(ADMIN, 'basket set majors baseline 100000d'), /baseline: 100000d of 1h bars is 2400000 bars/);
    expectUserError(await env.rt.run(ADMIN, 'basket create huge BTC ETH --window 60000'), /window: 60000 of 1h bars/);
    expect(await storeSnapshot(env.store)).toBe(before);
  });

  it(`more than ${MAX_SYMBOLS} symbols are refused in a query, a backtest and a new basket`, async () => {
    const { market, bars } = countingSim();
    const env = await makeEnv({ market });
    const symbols = Array.from({ length: MAX_SYMBOLS + 1 }, (_, i) => `S${i}`).join(' ');
    expectUserError(await env.rt.run(USER, `matrix ${symbols}`), `at most ${MAX_SYMBOLS} symbols`);
    expectUserError(await env.rt.run(CLI, `backtest ${symbols}`), `${MAX_SYMBOLS + 1} symbols is more than one request takes (at most ${MAX_SYMBOLS})`);
    expectUserError(await env.rt.run(ADMIN, `basket create many ${symbols}`), `a basket holds 2 to ${MAX_SYMBOLS} symbols, got ${MAX_SYMBOLS + 1}`);
    expect(bars()).toBe(0);
  });

  it('a backtest range over market.maxBars bars of an exchange is refused', async () => {
    const { market, bars } = countingSim();
    const env = await makeEnv({ market });
    expectUserError(await env.rt.run(CLI, 'backtest BTC ETH --timeframe 1m --from 2020-01-01'), /a backtest from 2020-01-01.* of 1m bars needs \d+ bars, more than corrwatch fetches for one request \(5000\)/);
    expect(bars()).toBe(0);
  });

  it('a 100 KB command is refused in one short line, and an error quoting a long word stays short (issue 11 §8)', async () => {
    const { market, bars } = countingSim();
    const env = await makeEnv({ market });
    const huge = await env.rt.run(USER, 'corr BTC ' + 'X'.repeat(100_000));
    expect(expectUserError(huge)).toBe('a command is at most 4000 characters; this one has 100009');
    const long = await env.rt.run(USER, 'W'.repeat(3_900));
    const text = expectUserError(long);
    expect(text.length).toBeLessThanOrEqual(1500);
    expect(text.endsWith('…')).toBe(true);
    expect(bars()).toBe(0);
  });

  it('a --at in the future is refused with the latest closed bar, not silently answered for another time', async () => {
    const env = await makeEnv();
    expectUserError(await env.rt.run(USER, 'corr BTC ETH --at 2030-01-01'), '--at 2030-01-01T00:00:00Z is in the future; the latest closed 1h bar opened at 2024-03-01T11:00:00Z');
    expectOk(await env.rt.run(USER, 'corr BTC ETH --at 2024-02-20'));
  });

  it('a 1m basket keeps its default 90-day baseline (long in bars, but not set by the admin)', async () => {
    const env = await makeEnv();
    expectOk(await env.rt.run(ADMIN, 'basket create fast BTC ETH --timeframe 1m'));
    expect((await env.store.getBasket('fast'))!.baseline).toBe('90d');
  });
});
