import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import type { MarketSource } from '../../src/domain/ports.js';
import { loadAligned, mapLimit } from '../../src/market/load.js';
import { createSimSource, SIM_DEFAULT_ORIGIN } from '../../src/market/sim-source.js';

const H = 3_600_000;
const O = SIM_DEFAULT_ORIGIN;
const clock = { now: () => O + 1000 * H };

describe('loadAligned', () => {
  it('fetches every symbol and aligns them in the order given', async () => {
    const src = createSimSource(5, { clock });
    const a = await loadAligned(src, ['eth', 'BTC', 'SOL'], '1h', O + 100 * H, O + 200 * H);
    expect(a.symbols).toEqual(['eth', 'BTC', 'SOL']);
    expect(a.timestamps).toHaveLength(100);
    const btc = await src.fetchCandles('BTC', '1h', O + 100 * H, O + 200 * H);
    expect([...a.closes[1]]).toEqual(btc.map((k) => k.c));
    expect(a.report.notes).toEqual([]);
  });

  it('limits concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const sim = createSimSource(5, { clock });
    const src: MarketSource = {
      ...sim,
      id: sim.id,
      venue: sim.venue,
      async fetchCandles(...args) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return sim.fetchCandles(...args);
      },
    };
    await loadAligned(src, ['A', 'B', 'C', 'D', 'E', 'F', 'G'], '1h', O, O + 10 * H, { concurrency: 2 });
    expect(peak).toBe(2);
  });

  it('says which symbol has no data in the range', async () => {
    const src = createSimSource(5, { clock });
    const err = await loadAligned(src, ['BTC', 'ETH'], '1h', O + 2000 * H, O + 2100 * H).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('no_data');
    expect((err as UserError).message).toBe('BTC has no 1h bars on simulator between 2020-03-24T08:00:00Z and 2020-03-28T12:00:00Z');
  });

  it('propagates the first failure and starts no new fetches after it', async () => {
    const started: string[] = [];
    await expect(
      mapLimit(['a', 'b', 'c', 'd'], 1, async (x) => {
        started.push(x);
        if (x === 'b') throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual(['a', 'b']);
  });
});
