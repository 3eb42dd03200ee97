import type { PolicyConfig } from '../../src/alerts/policy.js';

/**
 * The policy the alert tests run on: 1h bars and round numbers that exercise every path (forBars 2, so a pending
 * episode exists). The product builds its policy from the configuration (`alerts:` and `detector.thresholds` in
 * config/default.yaml), not from this.
 */
export const TEST_POLICY: Readonly<PolicyConfig> = Object.freeze({
  barMs: 3_600_000,
  forBars: 2,
  enterZ: 2.0,
  exitScore: 1.0,
  minDwellBars: 6,
  cooldownBars: 24,
  staleBars: 3,
});
