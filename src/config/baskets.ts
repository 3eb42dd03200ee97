import type { Config, BasketConfig } from './schema.js';
import { defaultWindowFor, resolveBaselineText } from '../domain/default-window.js';
import { defaultEnterZ } from '../regime/calibration.js';
import type { Basket } from '../store/types.js';

/**
 * A config basket with every default filled in: timeframe 1h, window and baseline sized to the timeframe, and the
 * entry level calibrated for the timeframe (`auto`: about one false alert per detector.falseAlarmYears years).
 */
export function basketFromConfig(name: string, b: BasketConfig, config: Config, now: number): Basket {
  const timeframe = b.timeframe ?? '1h';
  const t = { ...config.detector.thresholds, ...(b.thresholds ?? {}) };
  const enterZ = t.enterZ === 'auto' ? defaultEnterZ(timeframe, config.detector.falseAlarmYears) : t.enterZ;
  return {
    name,
    symbols: b.symbols,
    timeframe,
    window: b.window && b.window !== 'auto' ? b.window : defaultWindowFor(timeframe),
    baseline: resolveBaselineText(b.baseline ?? config.detector.baseline, timeframe),
    thresholds: { ...t, enterZ },
    createdAt: now,
    updatedAt: now,
    createdBy: 'config',
    ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
  };
}

/** The baskets to seed a new store with. */
export function seedBaskets(config: Config, now: number): Basket[] {
  return Object.entries(config.baskets).map(([name, b]) => basketFromConfig(name, b, config, now));
}
