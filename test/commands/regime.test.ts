import { beforeAll, describe, expect, it } from 'vitest';
import type { Regime } from '../../src/domain/types.js';
import type { RegimeReading } from '../../src/regime/types.js';
import { ADMIN, HOUR, NOW, USER, expectOk, expectUserError, makeEnv, storeSnapshot, type TestEnv } from './helpers.js';
import { iso } from './reference.js';
import { barTime, basket, FakeMarket, nowAfter } from '../scheduler/fakes.js';

const REGIMES: Regime[] = ['calm', 'converging', 'stressed', 'decoupling'];

interface OneData {
  basket: string;
  regime: Regime | null;
  since?: string;
  alert?: string | null;
  reading?: Omit<RegimeReading, 'at'> & { at: string };
}

interface AllRow {
  basket: string;
  regime: Regime | null;
  avgCorrelation?: number;
  since?: string;
  error?: string;
}

describe('regime on simulated data', () => {
  let env: TestEnv;
  const T = Math.floor(NOW / HOUR) * HOUR - HOUR;
  beforeAll(async () => {
    env = await makeEnv({ market: 'sim' });
  });

  it('regime majors: one of the four regimes at the latest bar, since when, and drivers that are pairs of the basket', async () => {
    const before = await storeSnapshot(env.store);
    const r = await env.rt.run(USER, 'regime majors');
    expectOk(r);
    const d = r.reply.data as OneData;
    const symbols = (await env.store.getBasket('majors'))!.symbols;
    expect(d.basket).toBe('majors');
    expect(REGIMES).toContain(d.regime);
    expect(d.reading!.regime).toBe(d.regime);
    expect(d.reading!.at).toBe(iso(T));
    expect(Date.parse(d.since!)).toBeLessThanOrEqual(T);
    expect(d.reading!.avgCorrelation).toBeGreaterThan(-1);
    expect(d.reading!.avgCorrelation).toBeLessThan(1);
    expect(d.reading!.drivers.length).toBeGreaterThan(0);
    for (const p of d.reading!.drivers) {
      expect(symbols).toContain(p.a);
      expect(symbols).toContain(p.b);
      expect(p.a).not.toBe(p.b);
    }
    expect(r.reply.title).toContain(`majors: ${d.regime}`);
    expect(r.reply.fields!.map((f) => f.name)).toEqual(expect.arrayContaining(['avg ρ', 'since', 'stress probability', 'pairs that moved most']));
    expect(r.reply.footer).toContain(symbols.join(' '));
    // a query: nothing written
    expect(await storeSnapshot(env.store)).toBe(before);
  });

  it('regime with no basket: one row per basket', async () => {
    expectOk(await env.rt.run(ADMIN, 'basket create l1s SOL AVAX ADA DOT'));
    const r = await env.rt.run(USER, 'regime');
    expectOk(r);
    const rows = r.reply.data as AllRow[];
    expect(rows.map((x) => x.basket)).toEqual(['majors', 'l1s']);
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(REGIMES).toContain(row.regime);
      expect(r.reply.text).toContain(row.basket);
      expect(r.reply.text).toContain(row.regime!);
    }
    // the table's regime for majors is the one `regime majors` gives
    const one = (await env.rt.run(USER, 'regime majors')).reply.data as OneData;
    expect(rows[0].regime).toBe(one.regime);
  });

  it('shows the alert phase once the basket has alert state', async () => {
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 2h'));
    const d = (await env.rt.run(USER, 'regime majors')).reply.data as OneData;
    expect(d.alert).toBe('inactive');
  });

  it('unknown basket: did you mean', async () => {
    expectUserError(await env.rt.run(USER, 'regime majrs'), 'there is no basket "majrs"; did you mean majors?');
    expectUserError(await env.rt.run(USER, 'regime Not_A_Name'), /basket: expected a basket name .*got "Not_A_Name"/);
  });
});

describe('regime with too little history', () => {
  it('says the detector needs more history, for one basket and in the table of all', async () => {
    // A week after the simulation starts: fewer bars than two 7d windows of 1h.
    const env = await makeEnv({ market: 'sim', now: Date.UTC(2020, 0, 8) });
    const r = await env.rt.run(USER, 'regime majors');
    expectOk(r);
    expect(r.reply.title).toBe('majors: not enough history yet');
    expect(r.reply.text).toContain('one window (7d) and a minimal baseline of 1h bars');
    expect((r.reply.data as OneData).regime).toBeNull();
    const all = await env.rt.run(USER, 'regime');
    expectOk(all);
    expect(all.reply.data).toEqual([{ basket: 'majors', regime: null }]);
    expect(all.reply.text).toContain('warming up');
  });
});

describe('regime of a basket with a symbol that does not move', () => {
  it('says which symbol and since when there is no reading, for one basket and in the table of all; the last reading is named', async () => {
    const market = new FakeMarket().addGroup(['AAA', 'BBB', 'CCC', 'DDD'], 1400, [{ from: 0, rho: 0.3, vol: 0.01 }], 5);
    market.frozen.set('DDD', [1300, 1400]); // the last 100 bars, more than the 48-bar window
    const env = await makeEnv({ market, now: nowAfter(1400) });
    await env.store.putBasket(basket('halted', ['AAA', 'BBB', 'CCC', 'DDD']));
    const r = await env.rt.run(USER, 'regime halted');
    expectOk(r);
    expect(r.reply.title).toBe('halted: no regime reading');
    expect(r.reply.severity).toBe('warning');
    // DDD's last return that is not 0 is bar 1300's (into the frozen price): the last window holding it ends at bar 1347
    expect(new Date(barTime(1347)).toISOString()).toBe('2024-02-26T03:00:00.000Z');
    expect(r.reply.text).toMatch(
      /^DDD did not move over the window's 48 bars: its correlation, and so the basket's regime, is undefined until it does\. The last reading, for the bar of 2024-02-26 03:00 UTC, was (calm|converging|stressed|decoupling) \(avg ρ [+-]0\.\d{3}\)\.$/,
    );
    expect(r.reply.data).toMatchObject({ basket: 'halted', regime: null, noReading: expect.stringMatching(/^DDD did not move/), lastReadingAt: '2024-02-26T03:00:00Z' });
    const all = await env.rt.run(USER, 'regime');
    expectOk(all);
    expect((all.reply.data as AllRow[]).find((x) => x.basket === 'halted')).toMatchObject({ regime: null, noReading: expect.stringMatching(/^DDD did not move/) });
    expect(all.reply.text).toContain("no reading: DDD did not move over the window's 48 bars");
  });
});

describe('regime of a basket with a symbol halted for less than a window', () => {
  it('reads the basket and names the halted symbol and for how long in the footer', async () => {
    const market = new FakeMarket().addGroup(['AAA', 'BBB', 'CCC', 'DDD'], 1400, [{ from: 0, rho: 0.3, vol: 0.01 }], 5);
    market.frozen.set('CCC', [1380, 1400]); // the last 20 bars: fewer than the 48-bar window
    const env = await makeEnv({ market, now: nowAfter(1400) });
    await env.store.putBasket(basket('partly', ['AAA', 'BBB', 'CCC', 'DDD']));
    const r = await env.rt.run(USER, 'regime partly');
    expectOk(r);
    expect((r.reply.data as OneData).regime).not.toBeNull();
    // Bars 1380..1399 all hold bar 1380's price: the returns of bars 1381..1399 are 0, 19 of them.
    expect(r.reply.footer).toMatch(/ · CCC unchanged for 19 bars \(halted: left out of the convergence evidence until it moves\)$/);
    // A basket whose symbols all move has no such note.
    await env.store.putBasket(basket('moving', ['AAA', 'BBB', 'DDD']));
    const m = await env.rt.run(USER, 'regime moving');
    expectOk(m);
    expect(m.reply.footer).not.toMatch(/unchanged for/);
  });
});
