import { defaultEnterZ } from '../regime/calibration.js';

/**
 * Upgrades a data file written by an older corrwatch, in memory (the file is rewritten on the next save).
 *
 * 1 → 2: the detector's entry and exit levels changed meaning (issue 9): they were z-scores of the window's average
 * correlation (defaults 3 and 1) and are now the evidence √(2·CUSUM) of a sequential test, whose calibrated levels
 * depend on the timeframe. A level tuned for the old statistic means nothing to the new one, so every basket gets
 * the new defaults (entry for about one false alert per 10 years of bars; exit 2); stress probability and the
 * decoupling level keep their meaning and their values. The alert state is kept.
 */
export function migrateDocument(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.schemaVersion === 1) {
    const baskets = Array.isArray(raw.baskets) ? raw.baskets : [];
    raw = {
      ...raw,
      schemaVersion: 2,
      baskets: baskets.map((b: unknown) => {
        if (typeof b !== 'object' || b === null) return b;
        const basket = b as { timeframe?: unknown; thresholds?: Record<string, unknown> };
        if (typeof basket.timeframe !== 'string' || typeof basket.thresholds !== 'object' || basket.thresholds === null) return b;
        let enterZ: number;
        try {
          enterZ = defaultEnterZ(basket.timeframe, 10);
        } catch {
          return b; // an invalid timeframe: the shape check reports it
        }
        return { ...basket, thresholds: { ...basket.thresholds, enterZ, exitZ: 2 } };
      }),
    };
  }
  // 2 → 3: regime history, the outbox and the audit log moved out of the document into append-only files beside it
  // (lowdb-store.ts). The document itself keeps its shape; a version-2 file still holds them inline, and the store
  // takes them from there when the side files do not exist yet, then writes them out on its first save. The version
  // changes so that an older corrwatch refuses the slimmed file instead of reading it as empty.
  if (raw.schemaVersion === 2) raw = { ...raw, schemaVersion: 3 };
  return raw;
}
