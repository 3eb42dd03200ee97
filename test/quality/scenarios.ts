import { runBacktest, type BacktestResult } from '../../src/backtest/run.js';
import { withCalendar, type PolicyConfig } from '../../src/alerts/policy.js';
import type { DetectorConfig } from '../../src/regime/types.js';
import { detectorConfigFor, policyConfigFor } from '../../src/config/basket-settings.js';
import { basketFromConfig } from '../../src/config/baskets.js';
import { generate, type Scenario } from './generate.js';
import { loadConfig } from '../../src/config/load.js';

const calm = { rho: 0.3, vol: 0.01 };

export interface QualityScenario {
  scenario: Scenario;
  /** Bar indices where a true convergence starts (empty: the scenario has none). */
  switchesUp: number[];
  /** The target for the median delay in bars (onset scenarios). */
  target?: number;
}

/**
 * Seeded synthetic baskets with known switches: the targets of issue 9 (docs/methods.md, "Measured").
 * Onset scenarios have two episodes each; null scenarios must raise no episode at all.
 */
export const SCENARIOS: QualityScenario[] = [
  {
    // A crash: correlations jump and volatility jumps with them.
    scenario: {
      name: 'large jump 0.2 -> 0.85 with vol x2.5',
      assets: 6,
      bars: 6000,
      seed: 11,
      df: 5,
      segments: [{ from: 0, rho: 0.2, vol: 0.01 }, { from: 2500, rho: 0.85, vol: 0.025 }, { from: 3100, rho: 0.2, vol: 0.01 }, { from: 4600, rho: 0.85, vol: 0.025 }, { from: 5200, rho: 0.2, vol: 0.01 }],
    },
    switchesUp: [2500, 4600],
    target: 8,
  },
  {
    // A subtle convergence at constant volatility.
    scenario: {
      name: 'subtle 0.3 -> 0.6, constant vol',
      assets: 6,
      bars: 6000,
      seed: 12,
      df: 5,
      segments: [{ from: 0, ...calm }, { from: 2500, rho: 0.6, vol: 0.01 }, { from: 3300, ...calm }, { from: 4600, rho: 0.6, vol: 0.01 }, { from: 5400, ...calm }],
    },
    switchesUp: [2500, 4600],
    target: 48,
  },
  {
    // A slow convergence: correlations ramp up over three days.
    scenario: {
      name: 'ramp 0.25 -> 0.75 over 72 bars, 10 assets',
      assets: 10,
      bars: 6000,
      seed: 16,
      df: 5,
      segments: [
        { from: 0, rho: 0.25, vol: 0.01 },
        { from: 2500, rho: 0.75, vol: 0.01, rampBars: 72 },
        { from: 3200, rho: 0.25, vol: 0.01 },
        { from: 4600, rho: 0.75, vol: 0.01, rampBars: 72 },
        { from: 5300, rho: 0.25, vol: 0.01 },
      ],
    },
    switchesUp: [2500, 4600],
    target: 48,
  },
  {
    // Daily bars on business days: 60-day stress episodes with doubled volatility.
    scenario: {
      name: 'business-day daily 0.3 -> 0.8 with vol x2, 8 assets',
      assets: 8,
      bars: 1800,
      seed: 17,
      df: 5,
      calendar: 'business-daily',
      segments: [{ from: 0, rho: 0.3, vol: 0.012 }, { from: 800, rho: 0.8, vol: 0.024 }, { from: 860, rho: 0.3, vol: 0.012 }, { from: 1400, rho: 0.8, vol: 0.024 }, { from: 1460, rho: 0.3, vol: 0.012 }],
    },
    switchesUp: [800, 1400],
    target: 10,
  },
  {
    scenario: { name: 'constant 0.3 (t5 tails)', assets: 6, bars: 6000, seed: 13, df: 5, segments: [{ from: 0, ...calm }] },
    switchesUp: [],
  },
  {
    scenario: { name: 'constant 0.6 (t5 tails)', assets: 6, bars: 6000, seed: 14, df: 5, segments: [{ from: 0, rho: 0.6, vol: 0.01 }] },
    switchesUp: [],
  },
  {
    scenario: {
      name: 'GARCH(1,1) t4 clustering, constant 0.4',
      assets: 6,
      bars: 20000,
      seed: 18,
      df: 4,
      garch: { alpha: 0.08, beta: 0.9 },
      segments: [{ from: 0, rho: 0.4, vol: 0.01 }],
    },
    switchesUp: [],
  },
  {
    // Volatility shocks (x4) common to all assets with the correlation unchanged: must not look like convergence.
    scenario: {
      name: 'volatility-only shocks x4, constant 0.3',
      assets: 6,
      bars: 6000,
      seed: 15,
      df: 5,
      segments: [
        { from: 0, ...calm },
        { from: 2000, rho: 0.3, vol: 0.04 },
        { from: 2200, ...calm },
        { from: 3500, rho: 0.3, vol: 0.04 },
        { from: 3600, ...calm },
        { from: 5000, rho: 0.3, vol: 0.04 },
        { from: 5300, ...calm },
      ],
    },
    switchesUp: [],
  },
  {
    // One asset's volatility x6 for 300 bars (a coin-specific event), correlation unchanged.
    scenario: {
      name: 'one asset vol x6 for 300 bars, constant 0.3',
      assets: 6,
      bars: 6000,
      seed: 19,
      df: 5,
      segments: [{ from: 0, ...calm }, { from: 2500, ...calm, assetVol: { 2: 6 } }, { from: 2800, ...calm }, { from: 4500, ...calm, assetVol: { 4: 6 } }, { from: 4800, ...calm }],
    },
    switchesUp: [],
  },
  {
    // A near-duplicate pair (0.999: one asset on two venues) and an exact copy (one series under two names): the
    // baseline must hold them as they are, and a copy adds nothing.
    scenario: {
      name: 'a near-duplicate pair (0.999) and an exact copy, constant 0.3',
      assets: 6,
      bars: 6000,
      seed: 21,
      df: 5,
      segments: [{ from: 0, ...calm }],
      copies: [
        { asset: 4, of: 0, rho: 0.999 },
        { asset: 5, of: 1, rho: 1 },
      ],
    },
    switchesUp: [],
  },
  {
    // One symbol halted for 400 bars (a suspension), reopening with the move it missed; later another one's price
    // sits still for 300 bars (flat candles). Correlation unchanged: the halts must not look like convergence.
    scenario: {
      name: 'halts: 400 bars then a jump, 300 flat bars, constant 0.3',
      assets: 5,
      bars: 6000,
      seed: 20,
      df: 5,
      segments: [{ from: 0, ...calm }],
      halts: [
        { asset: 2, from: 2500, bars: 400 },
        { asset: 0, from: 4200, bars: 300, flat: true },
      ],
    },
    switchesUp: [],
  },
];

const config = loadConfig({});

/** The shipped defaults for a basket of this scenario's timeframe (window, baseline, thresholds, policy). */
export function shippedSettings(rw: { symbols: string[]; timeframe: string }): { detector: DetectorConfig; policy: PolicyConfig } {
  const b = basketFromConfig('quality', { symbols: rw.symbols, timeframe: rw.timeframe }, config, 0);
  // generate() makes daily bars on weekdays only, hourly bars around the clock.
  const policy = withCalendar(policyConfigFor(b, config), rw.timeframe === '1d' ? 'weekdays' : 'continuous');
  return { detector: detectorConfigFor(b, config), policy };
}

export interface Measured {
  name: string;
  result: BacktestResult;
  /** Bars from each true upward switch to the first firing alert after it (null = missed). */
  delays: (number | null)[];
  /** Firing episodes that start outside every true episode and its window's tail. */
  falseAlarms: number;
}

/** Run one scenario through the backtest with the shipped defaults and measure detection delays and false alarms. */
export function measure({ scenario, switchesUp }: QualityScenario, overrides: Partial<DetectorConfig> = {}): Measured {
  const rw = generate(scenario);
  const { detector, policy } = shippedSettings(rw);
  const result = runBacktest(rw, { ...detector, ...overrides }, policy, { keepReadings: false });
  const index = new Map<number, number>();
  rw.times.forEach((t, k) => index.set(t, k));
  const firings = result.alerts.filter((a) => a.state === 'firing').map((a) => index.get(Date.parse(a.at)) as number);
  const ends = scenario.segments.map((s) => s.from).filter((f) => f > 0);
  const delays = switchesUp.map((s) => {
    const next = ends.find((e) => e > s) ?? scenario.bars;
    const hit = firings.find((f) => f >= s && f < next);
    return hit === undefined ? null : hit - s;
  });
  // A firing counts as true when it starts inside an upward segment or the window's tail after it.
  const tail = detector.window;
  const upRanges = switchesUp.map((s) => [s, (ends.find((e) => e > s) ?? scenario.bars) + tail]);
  const falseAlarms = firings.filter((f) => !upRanges.some(([a, b]) => f >= a && f < b)).length;
  return { name: scenario.name, result, delays, falseAlarms };
}
