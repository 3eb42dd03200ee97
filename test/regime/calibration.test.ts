import { describe, expect, it } from 'vitest';
import { ARL_FIT, defaultEnterZ, thresholdForArl } from '../../src/regime/calibration.js';

describe('calibration: the entry level for a stated false-alarm rate', () => {
  it('inverts the fitted run length ln ARL0 = slope·h + intercept', () => {
    // 10 years of 1h bars: 87,660 bars; h = (ln 87,660 − 5.83)/0.49 = (11.381 − 5.83)/0.49 = 11.33; enterZ = √(2h) = 4.76.
    const h = thresholdForArl(87_660, '1h');
    expect(h).toBeCloseTo((Math.log(87_660) - ARL_FIT.intraday.intercept) / ARL_FIT.intraday.slope, 12);
    expect(defaultEnterZ('1h', 10)).toBe(4.76);
    // Daily bars use the daily fit: 3,652.5 bars → h = (8.203 − 5.11)/0.5 = 6.19 → √12.37 = 3.52.
    expect(defaultEnterZ('1d', 10)).toBe(3.52);
  });

  it('asks for more evidence the more bars a year (and the rarer the false alarms) it has to cover', () => {
    expect(defaultEnterZ('1m', 10)).toBeGreaterThan(defaultEnterZ('1h', 10));
    expect(defaultEnterZ('1h', 10)).toBeGreaterThan(defaultEnterZ('4h', 10));
    expect(defaultEnterZ('1h', 100)).toBeGreaterThan(defaultEnterZ('1h', 10));
    expect(defaultEnterZ('1h', 1)).toBeLessThan(defaultEnterZ('1h', 10));
  });

  it('never goes below enterZ 3 (h 4.5), which keeps the default exit level 2 below it', () => {
    expect(defaultEnterZ('1w', 10)).toBe(3);
    expect(defaultEnterZ('1d', 0.1)).toBe(3);
    expect(() => thresholdForArl(1, '1h')).toThrow(RangeError);
  });
});
