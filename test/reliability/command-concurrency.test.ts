import { describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/domain/invocation.js';
import { MAX_COMMANDS_PER_USER, MAX_COMMANDS_RUNNING } from '../../src/domain/limits.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { expectOk, fixedClock, makeEnv, NOW, simSource } from '../commands/helpers.js';

/** The simulator, with every candle request held until `open()`; counts the requests waiting. */
function heldSim() {
  const sim = simSource(fixedClock(NOW));
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let waiting = 0;
  const market: MarketSource = {
    ...sim,
    id: sim.id,
    venue: sim.venue,
    async fetchCandles(...args: Parameters<MarketSource['fetchCandles']>) {
      waiting++;
      await gate;
      waiting--;
      return sim.fetchCandles(...args);
    },
  };
  return { market, open, waiting: () => waiting };
}

const user = (n: number): Invocation => ({ platform: 'slack', userId: `U${n}`, channelId: 'C1', isAdmin: false });

/** Resolves after the event loop has run what is queued (the commands reach the market). */
const settle = () => new Promise((r) => setImmediate(r));

// Issue 11 §2: 200 concurrent /corr were answered one at a time; one user's burst delayed everyone.
describe('chat commands running at once', () => {
  it(`one user has at most ${MAX_COMMANDS_PER_USER} running: one more is refused at once, others are not affected`, async () => {
    const held = heldSim();
    const env = await makeEnv({ market: held.market });
    const mine = Array.from({ length: MAX_COMMANDS_PER_USER }, () => env.rt.run(user(1), 'corr BTC ETH 50'));
    await settle();
    const extra = await env.rt.run(user(1), 'corr BTC ETH 50');
    expect(extra.outcome).toBe('refused');
    expect(extra.reply).toMatchObject({ ephemeral: true, text: `You have ${MAX_COMMANDS_PER_USER} commands running; wait for one of them to answer, then try again.` });
    const other = env.rt.run(user(2), 'corr BTC ETH 50');
    held.open();
    for (const r of await Promise.all([...mine, other])) expectOk(r);
    // once they answered, the same user may ask again
    expectOk(await env.rt.run(user(1), 'corr BTC ETH 50'));
  });

  it(`at most ${MAX_COMMANDS_RUNNING} run in the process; the others wait their turn and are all answered`, async () => {
    const held = heldSim();
    const env = await makeEnv({ market: held.market });
    const all = Array.from({ length: MAX_COMMANDS_RUNNING + 5 }, (_, i) => env.rt.run(user(10 + i), 'corr BTC ETH 50'));
    await settle();
    await settle();
    // Each running corr waits on its two candle requests (one a symbol); the 5 beyond the limit have not reached the
    // market (without the limit all 13 would: 26 requests).
    expect(held.waiting()).toBe(MAX_COMMANDS_RUNNING * 2);
    held.open();
    const results = await Promise.all(all);
    for (const r of results) expectOk(r);
    expect(results).toHaveLength(MAX_COMMANDS_RUNNING + 5);
  });

  it('the CLI and the console are not limited (one command at a time there anyway)', async () => {
    const held = heldSim();
    const env = await makeEnv({ market: held.market });
    const cli: Invocation = { platform: 'cli', userId: 'me', channelId: 'cli', isAdmin: true };
    const runs = Array.from({ length: MAX_COMMANDS_PER_USER + 2 }, () => env.rt.run(cli, 'corr BTC ETH 50'));
    held.open();
    for (const r of await Promise.all(runs)) expectOk(r);
  });
});
