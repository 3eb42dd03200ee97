import { describe, expect, it } from 'vitest';
import { measure, SCENARIOS, type QualityScenario } from './scenarios.js';

/**
 * Detection quality on synthetic baskets with known switches (issue 9 targets), through the whole backtest with
 * the shipped defaults of each timeframe, on the first three of the seeds `test/quality/report.ts` measures
 * (seed, seed + 1000, seed + 2000). docs/methods.md ("Measured") has the figures over ten seeds and the reasons.
 *
 * Delay bounds come from the measured spread over ten seeds (worst delay, rounded up): they guard against a
 * regression, they are not the targets. The targets and the Lorden bound they run into are in docs/methods.md.
 * False episodes: the threshold is calibrated for about one false alert per 10 years of bars (87,660 hourly bars,
 * 3,650 daily ones), measured at about one per 60,000 hourly bars on these scenarios and one per 2,000-4,000 daily
 * bars of 6-12 assets. These runs hold about 400,000 hourly and 5,400 daily bars: a few false episodes in all
 * are expected, and the total is bounded by what was measured on these seeds (6: 3 daily, 3 hourly).
 */
const SEED_OFFSETS = [0, 1000, 2000];
const DELAY_BOUND: Record<string, number> = {
  'large jump 0.2 -> 0.85 with vol x2.5': 24,
  'subtle 0.3 -> 0.6, constant vol': 220,
  'ramp 0.25 -> 0.75 over 72 bars, 10 assets': 80,
  'business-day daily 0.3 -> 0.8 with vol x2, 8 assets': 32,
};

const withSeed = (s: QualityScenario, offset: number): QualityScenario => ({ ...s, scenario: { ...s.scenario, seed: s.scenario.seed + offset } });

describe('detector quality (test/quality scenarios)', () => {
  let falseEpisodes = 0;
  for (const s of SCENARIOS) {
    for (const offset of SEED_OFFSETS) {
      const sc = withSeed(s, offset);
      it(`${s.scenario.name} (seed ${sc.scenario.seed})`, () => {
        const m = measure(sc);
        const n = m.result.summary.notifications;
        falseEpisodes += m.falseAlarms;
        expect(m.falseAlarms).toBeLessThanOrEqual(2);
        if (s.switchesUp.length === 0) return;
        expect(m.delays.every((d) => d !== null)).toBe(true);
        for (const d of m.delays) expect(d!).toBeLessThanOrEqual(DELAY_BOUND[s.scenario.name]);
        // Every episode that fired also resolved once the correlation came back down.
        expect(n.resolved).toBe(n.firing);
        // One episode per true convergence (no flapping inside it), plus the false ones counted above.
        expect(n.firing).toBe(s.switchesUp.length + m.falseAlarms);
      });
    }
  }
  it('false episodes over all runs stay within the calibrated rate', () => {
    expect(falseEpisodes).toBeLessThanOrEqual(6);
  });
});
