import { beforeAll, describe, expect, it } from 'vitest';
import { chartRenderer } from '../../src/chart/index.js';
import type { Invocation } from '../../src/domain/invocation.js';
import { ADMIN, HOUR, NOW, USER, expectOk, expectUserError, makeEnv, pngSize, storeSnapshot, type TestEnv } from './helpers.js';

const CLI: Invocation = { platform: 'cli', userId: 'me', channelId: 'cli', isAdmin: true };

interface ForecastData {
  basket: string | null;
  symbols: string[];
  timeframe: string;
  window: number;
  horizon: string;
  horizonBars: number;
  model: { kind: 'dcc'; a: number; b: number; persistence: number; garch: unknown[] } | { kind: 'ewma'; lambda: number; reason: string };
  avgCorrelation: { now: number; smoothed: number; band: [number, number]; path: { at: string; mean: number; lo: number; hi: number }[] };
  pairs: { a: string; b: string; now: number; forecast: number }[];
  regimeProbabilities: Record<string, number> | null;
  stressedWithin: number | null;
  expectedBarsToSwitch: number | null;
}

describe('forecast (issue 12) on the simulator', () => {
  let env: TestEnv;
  const lastBar = Math.floor(NOW / HOUR) * HOUR - HOUR;
  beforeAll(async () => {
    env = await makeEnv({ market: 'sim', charts: chartRenderer });
  });

  it('forecast majors: the JSON keys the issue names, a path of 24 hourly points with intervals, the pairs, regime odds summing to 1', async () => {
    const before = await storeSnapshot(env.store);
    const r = await env.rt.run(CLI, 'forecast majors');
    expectOk(r);
    const d = r.reply.data as ForecastData;
    const basket = (await env.store.getBasket('majors'))!;
    expect(d).toMatchObject({ basket: 'majors', symbols: basket.symbols, timeframe: '1h', horizon: '24h', horizonBars: 24 });
    expect(['dcc', 'ewma']).toContain(d.model.kind);
    if (d.model.kind === 'dcc') {
      expect(d.model.a).toBeGreaterThanOrEqual(0);
      expect(d.model.a + d.model.b).toBeLessThan(1);
      expect(d.model.garch).toHaveLength(basket.symbols.length);
    }
    const a = d.avgCorrelation;
    expect(a.band[0]).toBeLessThanOrEqual(a.smoothed);
    expect(a.smoothed).toBeLessThanOrEqual(a.band[1]);
    expect(a.path).toHaveLength(24);
    a.path.forEach((p, k) => {
      expect(Date.parse(p.at)).toBe(lastBar + (k + 1) * HOUR);
      expect(p.lo).toBeLessThanOrEqual(p.mean);
      expect(p.mean).toBeLessThanOrEqual(p.hi);
      expect(p.lo).toBeGreaterThan(-1);
      expect(p.hi).toBeLessThan(1);
    });
    // intervals widen with the horizon
    expect(a.path[23].hi - a.path[23].lo).toBeGreaterThan(a.path[0].hi - a.path[0].lo);
    expect(d.pairs).toHaveLength((basket.symbols.length * (basket.symbols.length - 1)) / 2);
    // the simulator's history is long enough for the regime model to be fitted
    expect(d.regimeProbabilities).not.toBeNull();
    if (d.regimeProbabilities) {
      expect(Object.values(d.regimeProbabilities).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
      expect(d.expectedBarsToSwitch).toBeGreaterThanOrEqual(0);
      expect(d.stressedWithin).toBeGreaterThanOrEqual(d.regimeProbabilities.stressed - 1e-12);
      // the standard horizons: the next bar, 24 h (= this forecast's horizon), 7 days
      const o = (r.reply.data as { regimeOutlook: Record<string, { bars: number; probabilities: Record<string, number> }> }).regimeOutlook;
      expect(Object.keys(o)).toEqual(['1bar', '24h', '7d']);
      expect([o['1bar'].bars, o['24h'].bars, o['7d'].bars]).toEqual([1, 24, 168]);
      expect(o['24h'].probabilities).toEqual(d.regimeProbabilities);
      for (const h of Object.values(o)) expect(Object.values(h.probabilities).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    }
    expect(await storeSnapshot(env.store)).toBe(before);
  });

  it("the ρ̄ now is the basket's window average, as `matrix` computes it, and one step ahead stays close to it", async () => {
    const f = (await env.rt.run(CLI, 'forecast majors')).reply.data as ForecastData;
    const m = (await env.rt.run(CLI, 'matrix majors')).reply.data as { avgCorrelation: number; n: number };
    expect(m.n).toBe(f.window);
    expect(f.avgCorrelation.now).toBeCloseTo(m.avgCorrelation, 10);
    // one new return of W: the blend moves ρ̄ by at most about 2/W
    expect(Math.abs(f.avgCorrelation.path[0].mean - f.avgCorrelation.now)).toBeLessThan(2 / f.window + 0.02);
  });

  it('in chat: /corr forecast majors 7d with a chart; a horizon as an option; ad-hoc symbols', async () => {
    const r = await env.rt.run(USER, '/corr forecast majors 7d');
    expectOk(r);
    expect((r.reply.data as ForecastData).horizonBars).toBe(168);
    expect(r.reply.title).toMatch(/^majors: avg ρ [+-]\d\.\d{3} → [+-]\d\.\d{3} in 7d$/);
    expect(r.reply.fields?.map((f) => f.name)).toEqual(expect.arrayContaining(['avg ρ now', 'avg ρ in 7d', 'model']));
    expect(pngSize(r.reply.chart!.png).width).toBeGreaterThan(400);
    const adhoc = await env.rt.run(CLI, 'forecast BTC ETH SOL --horizon 12h');
    expectOk(adhoc);
    expect(adhoc.reply.data).toMatchObject({ basket: null, symbols: ['BTC', 'ETH', 'SOL'], horizon: '12h', horizonBars: 12 });
  });

  it('says what is wrong with a bad request', async () => {
    expectUserError(await env.rt.run(USER, 'forecast majors 90d'), 'forecasts reach at most 1000 bars and 30 days');
    expectUserError(await env.rt.run(CLI, 'forecast majors --horizon 10m'), 'a horizon of 10m is less than one 1h bar');
    expectUserError(await env.rt.run(USER, 'forecast nosuch'), '"nosuch" is not a basket');
    expectUserError(await env.rt.run(USER, 'forecast'), 'forecast needs a basket name or at least two symbols');
    expectUserError(await env.rt.run(USER, 'forecast BTC BTC'), 'BTC is listed twice');
    expectUserError(await env.rt.run(CLI, 'forecast majors BTC'), '"majors" is a basket: give either a basket or symbols, not both');
  });

  it('regime replies carry the outlook line', async () => {
    const r = await env.rt.run(ADMIN, 'regime majors');
    expectOk(r);
    const line = r.reply.fields?.find((f) => f.name === 'outlook')?.value;
    expect(line).toMatch(/^P\(stressed within 24h\): (\d\.\d\d|n\/a \(no distinct stress state fitted yet\))$/);
    const p = (r.reply.data as { stressedWithinDay: number | null }).stressedWithinDay;
    if (p !== null) expect(line).toBe(`P(stressed within 24h): ${p.toFixed(2)}`);
  });
});
