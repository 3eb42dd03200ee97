import { describe, expect, it } from 'vitest';
import { alertChartInput, renderAlertWithChart } from '../../src/app/alert-chart.js';
import { chartRenderer, type ChartRenderer, type RegimeChartInput, type RenderOptions } from '../../src/chart/index.js';
import type { Regime } from '../../src/domain/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Basket, NotificationRecord, RegimePoint } from '../../src/store/types.js';
import { decode, pixel } from '../chart/png.js';

const H = 3_600_000;
const T0 = Date.UTC(2027, 0, 1, 0);

/** 300 calm bars, then converging from bar 300 (Jan 13 12:00 UTC), stressed from bar 303 (15:00 UTC): the case. */
function history(): RegimePoint[] {
  const regimeAt = (i: number): Regime => (i < 300 ? 'calm' : i < 303 ? 'converging' : 'stressed');
  return Array.from({ length: 304 }, (_, i) => {
    const regime = regimeAt(i);
    const avgCorrelation = regime === 'calm' ? 0.42 + 0.04 * Math.sin(i / 4) : regime === 'converging' ? 0.58 + 0.02 * (i - 300) : 0.74;
    return { at: T0 + i * H, avgCorrelation, regime, z: 0, stressProbability: regime === 'stressed' ? 0.9 : 0.1 };
  });
}

const basket: Basket = {
  name: 'majors',
  symbols: ['BTC', 'ETH', 'SOL'],
  timeframe: '1h',
  window: '7d',
  baseline: '90d',
  thresholds: { enterZ: 4.4, exitZ: 2, stressProbability: 0.8, decoupleZ: -2 },
  createdAt: 0,
  updatedAt: 0,
  createdBy: 'config',
  timezone: 'America/New_York',
};

const escalated = (at: number): NotificationRecord => ({
  id: 'majors:1:escalated',
  basket: 'majors',
  episode: 1,
  kind: 'escalated',
  at,
  createdAt: at + H,
  payload: { basket: 'majors', symbols: basket.symbols, timeframe: '1h', regime: 'stressed', avgCorrelation: 0.74, z: 6.1, reason: 'escalated', startedAt: T0 + 300 * H },
  deliveries: {},
});

describe('the alert chart', () => {
  it('shows the episode with context, marks the onset bar and the level crossed', () => {
    const input = alertChartInput(escalated(T0 + 303 * H), history(), basket, 'America/New_York')!;
    // 72 bars before the onset, the 4 bars of the episode; nothing after the alert's bar.
    expect(input.timestamps.length).toBe(76);
    expect(input.timestamps.at(-1)).toBe(T0 + 303 * H);
    expect(input.barMs).toBe(H);
    expect(input.markers?.onset).toEqual({ at: T0 + 300 * H, label: 'episode start Jan 13 07:00 EST' });
    // Escalated: the threshold crossed is the stress-state probability, at the first stressed bar.
    expect(input.markers?.level).toEqual({ value: 0.74, label: 'ρ̄ 0.74 when stress-state probability ≥ 0.8 (Jan 13 10:00 EST)' });
    const firing = { ...escalated(T0 + 301 * H), kind: 'firing' as const, payload: { ...escalated(0).payload, regime: 'converging' } };
    expect(alertChartInput(firing, history(), basket)!.markers?.level?.label).toBe('ρ̄ 0.58 when convergence evidence ≥ 4.4 (Jan 13 12:00 UTC)');
  });

  it('renders the stressed stretch in the stressed colour, times in the basket zone', async () => {
    const store = new MemoryStore();
    await store.open([basket]);
    await store.putRuntimes([{ basket: 'majors', alertState: {}, history: history() }]);
    const seen: { input?: RegimeChartInput; opts?: RenderOptions } = {};
    const spy: ChartRenderer = { ...chartRenderer, regime: (input, opts) => ((seen.input = input), (seen.opts = opts), chartRenderer.regime(input, opts)) };
    const reply = await renderAlertWithChart(store, escalated(T0 + 303 * H), 'UTC', spy);
    expect(seen.opts).toEqual({ timeZone: 'America/New_York' });
    expect(reply.footer).toBe('1h bars · bar 2027-01-13 10:00 EST');
    expect(reply.chart!.alt).toContain('stressed since 2027-01-13 10:00 EST');
    expect(reply.chart!.alt).toContain('A vertical line marks episode start Jan 13 07:00 EST.');
    // Low in the plot (below the line): the stressed bar is a whole bar (about 14 px of 76 bars) right of every
    // converging pixel, at the plot's right end; it used to be half a bar at the edge, under the current-value marker.
    const p = await decode(reply.chart!.png);
    const blend = (rgba: number[]) => [27, 29, 35].map((c, i) => Math.round(rgba[3] * rgba[i] + (1 - rgba[3]) * c));
    const [stressed, converging] = [blend([255, 107, 107, 0.28]), blend([252, 196, 25, 0.3])];
    const y = Math.round(p.height * 0.85);
    const columns = (c: number[]) => [...Array(p.width).keys()].filter((x) => pixel(p, x, y).slice(0, 3).every((v, i) => Math.abs(v - c[i]) <= 3));
    const s = columns(stressed);
    const c = columns(converging);
    expect(s.length).toBeGreaterThanOrEqual(12);
    expect(s.at(-1)! - s[0] + 1).toBe(s.length);
    expect(s[0]).toBeGreaterThan(c.at(-1)!);
    expect(c.length).toBeGreaterThanOrEqual(3 * 12);
  });
});
