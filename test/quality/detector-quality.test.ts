import { describe, expect, it } from 'vitest';
import { measure, SCENARIOS, DETECTOR } from './scenarios.js';

/**
 * Detection quality on synthetic baskets with known switches, with the shipped defaults (W = 168, enterZ 3), each
 * scenario on three seeds.
 *
 * Delay bounds: the rolling window must hold enough new-regime returns for atanh(avg ρ) to rise enterZ noise sds
 * (the noise sd is floored at 1/sqrt(W) ≈ 0.077, so about 0.23 in atanh units), then the policy waits forBars.
 * Large jump (Δatanh ≈ 0.9 on clipped, vol-scaled returns): about a quarter of the window, ≈ 42 bars, plus sampling
 * noise in when the threshold is crossed: bound W/2 = 84 (measured over 10 other seeds: median 52, worst 81).
 * Subtle 0.3 -> 0.6 (Δatanh ≈ 0.38): about 60% of the window, ≈ 100 bars, and up to a window more after an earlier
 * episode has lifted the baseline median: bound 1.25·W = 210 (10 other seeds: median 124, worst 166).
 */
const SEEDS = [0, 101, 102];

describe('detector quality (test/quality scenarios)', () => {
  const W = DETECTOR.window;
  for (const s of SCENARIOS) {
    for (const seed of SEEDS) {
      const sc = seed === 0 ? s : { ...s, scenario: { ...s.scenario, seed } };
      it(`${s.scenario.name} (seed ${sc.scenario.seed})`, () => {
        const m = measure(sc);
        expect(m.falseAlarms).toBe(0);
        if (s.switchesUp.length === 0) {
          expect(m.result.summary.notifications.firing).toBe(0);
          return;
        }
        expect(m.delays.every((d) => d !== null)).toBe(true);
        const bound = s.scenario.name.startsWith('large') ? W / 2 : 1.25 * W;
        for (const d of m.delays) expect(d!).toBeLessThanOrEqual(bound);
        // Every episode that fired also resolved once the correlation came back down.
        expect(m.result.summary.notifications.resolved).toBe(m.result.summary.notifications.firing);
      });
    }
  }
});
