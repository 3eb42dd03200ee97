import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { barsOf, detectorConfigFor, policyConfigFor, type BasketSettings } from '../../src/config/basket-settings.js';

const config = loadConfig({});
const thresholds = { enterZ: 2.5, exitZ: 0.5, stressProbability: 0.9, decoupleZ: -1.5 };

describe('regime config: bar counts and the detector/policy configuration of a basket', () => {
  it.each([
    ['7d', '1h', 168],
    ['90d', '1h', 2160],
    ['30d', '4h', 180],
    ['1d', '5m', 288],
    ['48', '1h', 48],
    ['2w', '1d', 14],
    ['auto', '1h', 168],
    ['auto', '4h', 180],
  ])('%s of %s bars = %i returns', (text, tf, n) => {
    expect(barsOf(text, tf, 'window')).toBe(n);
  });

  it('"all" is refused with the name of the setting', () => {
    expect(() => barsOf('all', '1h', 'baseline')).toThrow(/baseline: "all"/);
  });

  it('detectorConfigFor / policyConfigFor', () => {
    const b: BasketSettings = { symbols: ['BTC', 'ETH'], timeframe: '4h', window: '30d', baseline: '90d', thresholds };
    expect(detectorConfigFor(b, config)).toEqual({ symbols: ['BTC', 'ETH'], window: 180, baseline: 540, thresholds, states: config.detector.states });
    expect(policyConfigFor(b, config)).toEqual({
      barMs: 4 * 3_600_000,
      forBars: config.alerts.forBars,
      enterZ: 2.5,
      exitScore: 0.5,
      minDwellBars: config.alerts.minDwellBars,
      cooldownBars: config.alerts.cooldownBars,
      staleBars: config.alerts.staleBars,
    });
  });
});
