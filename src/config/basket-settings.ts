import type { Config } from './schema.js';
import { resolveWindowText } from '../domain/default-window.js';
import { parseWindow, timeframeMs } from '../domain/timeframe.js';
import type { PolicyConfig } from '../alerts/policy.js';
import type { DetectorConfig, DetectorThresholds } from '../regime/types.js';

export interface BasketSettings {
  symbols: string[];
  timeframe: string;
  window: string;
  baseline: string;
  thresholds: DetectorThresholds;
}

/** Whole returns of a window/baseline text for a timeframe (`7d` of 1h = 168); `all` is not allowed here. */
export function barsOf(text: string, timeframe: string, what: string): number {
  const w = parseWindow(resolveWindowText(text, timeframe), timeframe);
  if (w.kind === 'all') throw new Error(`${what}: "all" is not a valid size here`);
  return w.returns;
}

/** The detector's configuration for a basket. */
export function detectorConfigFor(b: BasketSettings, config: Config): DetectorConfig {
  return {
    symbols: b.symbols,
    window: barsOf(b.window, b.timeframe, 'window'),
    baseline: barsOf(b.baseline, b.timeframe, 'baseline'),
    thresholds: b.thresholds,
    states: config.detector.states,
  };
}

/** The alert policy's configuration for a basket. */
export function policyConfigFor(b: BasketSettings, config: Config): PolicyConfig {
  return {
    barMs: timeframeMs(b.timeframe),
    forBars: config.alerts.forBars,
    enterZ: b.thresholds.enterZ,
    exitScore: b.thresholds.exitZ,
    minDwellBars: config.alerts.minDwellBars,
    cooldownBars: config.alerts.cooldownBars,
    staleBars: config.alerts.staleBars,
  };
}
