import type { Config, BasketConfig } from '../config/schema.js';
import { defaultWindowFor } from '../domain/default-window.js';
import type { Basket } from '../store/types.js';

/** A config basket with every default filled in (timeframe 1h, window sized to the timeframe, config baseline and thresholds). */
export function basketFromConfig(name: string, b: BasketConfig, config: Config, now: number): Basket {
  const timeframe = b.timeframe ?? '1h';
  return {
    name,
    symbols: b.symbols,
    timeframe,
    window: b.window && b.window !== 'auto' ? b.window : defaultWindowFor(timeframe),
    baseline: b.baseline ?? config.detector.baseline,
    thresholds: { ...config.detector.thresholds, ...(b.thresholds ?? {}) },
    createdAt: now,
    updatedAt: now,
    createdBy: 'config',
  };
}

/** The baskets to seed a new store with. */
export function seedBaskets(config: Config, now: number): Basket[] {
  return Object.entries(config.baskets).map(([name, b]) => basketFromConfig(name, b, config, now));
}
