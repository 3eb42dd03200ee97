import { describe, expect, it } from 'vitest';
import { defaultEnterZ } from '../../src/regime/calibration.js';
import { parseDocument } from '../../src/store/parse-document.js';
import { createDocument } from '../../src/store/operations.js';
import { STORE_SCHEMA_VERSION } from '../../src/store/types.js';
import { basket, runtime } from './builders.js';

/** A document as corrwatch 0.1 wrote it: schemaVersion 1, thresholds on the window z-score scale. */
function versionOne() {
  const doc = createDocument(1_700_000_000_000);
  return {
    ...doc,
    schemaVersion: 1,
    baskets: [
      basket('hourly', { timeframe: '1h', thresholds: { enterZ: 3, exitZ: 1, stressProbability: 0.9, decoupleZ: -2.5 } }),
      basket('daily', { timeframe: '1d', thresholds: { enterZ: 2.5, exitZ: 0.5, stressProbability: 0.8, decoupleZ: -2 } }),
    ],
    runtime: { hourly: runtime('hourly') },
  };
}

describe('store migration 1 → 2 (the detector became a CUSUM)', () => {
  it('gives every basket the calibrated entry level of its timeframe and exit 2; keeps the rest', () => {
    const doc = parseDocument(JSON.stringify(versionOne()), 'corrwatch.json');
    expect(doc.schemaVersion).toBe(STORE_SCHEMA_VERSION);
    const [hourly, daily] = doc.baskets;
    expect(hourly.thresholds).toEqual({ enterZ: defaultEnterZ('1h', 10), exitZ: 2, stressProbability: 0.9, decoupleZ: -2.5 });
    expect(daily.thresholds).toEqual({ enterZ: defaultEnterZ('1d', 10), exitZ: 2, stressProbability: 0.8, decoupleZ: -2 });
    expect(hourly.thresholds.enterZ).toBeGreaterThan(4);
    expect(doc.runtime.hourly).toEqual(versionOne().runtime.hourly);
  });

  it('leaves the thresholds of a version-2 document alone (2 → 3 only moved history, outbox and audit out)', () => {
    const v2 = { ...versionOne(), schemaVersion: 2 };
    expect(parseDocument(JSON.stringify(v2), 'corrwatch.json').baskets[0].thresholds.enterZ).toBe(3);
  });
});
