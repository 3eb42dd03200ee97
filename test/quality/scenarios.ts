import { runBacktest, type BacktestResult } from '../../src/backtest/run.js';
import type { PolicyConfig } from '../../src/alerts/policy.js';
import type { DetectorConfig } from '../../src/regime/types.js';
import { generate, HOUR, type Scenario } from './generate.js';
import { loadConfig } from '../../src/config/load.js';

const calm = { rho: 0.3, vol: 0.01 };

/** Seeded synthetic baskets with known switches (hourly bars, 6 assets, 6,000 bars). */
export const SCENARIOS: { scenario: Scenario; switchesUp: number[] }[] = [
  {
    // A large jump in correlation together with a volatility jump (a crash).
    scenario: {
      name: 'large jump 0.3 -> 0.85 with vol x2.5',
      assets: 6,
      bars: 6000,
      seed: 11,
      df: 5,
      segments: [{ from: 0, ...calm }, { from: 2500, rho: 0.85, vol: 0.025 }, { from: 3100, ...calm }, { from: 4600, rho: 0.85, vol: 0.025 }, { from: 5200, ...calm }],
    },
    switchesUp: [2500, 4600],
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
    // Volatility shocks (x4) with the correlation unchanged: must not look like convergence.
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
];

const config = loadConfig({});

/** The shipped defaults for a 1h basket: window 7d (168), baseline 90d (2160), thresholds and policy from config. */
export const DETECTOR: Omit<DetectorConfig, 'symbols'> = {
  window: 168,
  baseline: 2160,
  thresholds: config.detector.thresholds,
  states: config.detector.states,
};

export const POLICY: PolicyConfig = {
  barMs: HOUR,
  forBars: config.alerts.forBars,
  enterZ: config.detector.thresholds.enterZ,
  exitScore: config.detector.thresholds.exitZ,
  minDwellBars: config.alerts.minDwellBars,
  cooldownBars: config.alerts.cooldownBars,
  staleBars: config.alerts.staleBars,
};

export interface Measured {
  name: string;
  result: BacktestResult;
  /** Bars from each true upward switch to the first firing alert after it (null = missed). */
  delays: (number | null)[];
  /** Firing episodes that do not follow a true switch (before it, or on a scenario without one). */
  falseAlarms: number;
}

/** Run one scenario through the backtest and measure detection delays and false alarms. */
export function measure({ scenario, switchesUp }: (typeof SCENARIOS)[number]): Measured {
  const rw = generate(scenario);
  const result = runBacktest(rw, { ...DETECTOR, symbols: rw.symbols }, POLICY);
  const barOf = (iso: string) => Math.round((Date.parse(iso) - rw.times[0]) / HOUR);
  const firings = result.alerts.filter((a) => a.state === 'firing').map((a) => barOf(a.at));
  const ends = scenario.segments.map((s) => s.from).filter((f) => f > 0);
  const delays = switchesUp.map((s) => {
    const next = ends.find((e) => e > s) ?? scenario.bars;
    const hit = firings.find((f) => f >= s && f < next);
    return hit === undefined ? null : hit - s;
  });
  // A firing counts as true when it falls inside an upward segment (from its switch to the segment's end).
  const upRanges = switchesUp.map((s) => [s, ends.find((e) => e > s) ?? scenario.bars]);
  const falseAlarms = firings.filter((f) => !upRanges.some(([a, b]) => f >= a && f < b)).length;
  return { name: scenario.name, result, delays, falseAlarms };
}
