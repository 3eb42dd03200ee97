import { describe, expect, it } from 'vitest';
import { measure, SCENARIOS, DETECTOR } from './scenarios.js';

/**
 * Detection quality on synthetic baskets with known switches, with the shipped defaults (W = 168, enterZ 3).
 * Delay bounds: the rolling window must hold enough new-regime returns for atanh(avg ρ) to rise enterZ noise sds
 * (the sd is floored at 1/sqrt(W) ≈ 0.077, so about 0.23 in atanh units), then the policy waits forBars.
 * Large jump (Δatanh ≈ 0.95 on clipped, vol-scaled returns, a bit less): about a quarter of the window, ≈ 42 bars
 * plus noise: bound W/3 = 56. Subtle 0.3 -> 0.6 (Δatanh ≈ 0.38): about 60% of the window, ≈ 100 bars, and more
 * after an earlier episode has lifted the baseline median: bound W = 168.
 */
describe('detector quality (test/quality scenarios)', () => {
  const W = DETECTOR.window;
  for (const s of SCENARIOS) {
    it(s.scenario.name, () => {
      const m = measure(s);
      expect(m.falseAlarms).toBe(0);
      if (s.switchesUp.length === 0) {
        expect(m.result.summary.notifications.firing).toBe(0);
        return;
      }
      expect(m.delays.every((d) => d !== null)).toBe(true);
      const bound = s.scenario.name.startsWith('large') ? W / 3 : W;
      for (const d of m.delays) expect(d!).toBeLessThanOrEqual(bound);
      // Every episode that fired also resolved once the correlation came back down.
      expect(m.result.summary.notifications.resolved).toBe(m.result.summary.notifications.firing);
    });
  }
});
