import { describe, expect, it } from 'vitest';
import { checkStale, evaluateBar, initialAlertState, snoozeUntil, type PolicyConfig } from '../../src/alerts/policy.js';

const H = 3_600_000;
const cfg: PolicyConfig = { barMs: H, forBars: 1, exitScore: 1, minDwellBars: 0, cooldownBars: 0, staleBars: 1 };
const bar = (k: number, regime: 'converging' | 'calm', score: number) => ({ at: k * H, regime, score, avgCorrelation: regime === 'calm' ? 0.2 : 0.6 });

describe('alert policy: snooze and missing data', () => {
  it('a snoozed episode is not resolved by the first bar after missing data, but by the next one', () => {
    let s = evaluateBar(initialAlertState(), bar(1, 'converging', 3), cfg).state;
    expect(s.phase).toBe('firing');
    s = snoozeUntil(s, 20 * H);
    // Three bars go missing while snoozed: the outage is noticed but not announced.
    const stale = checkStale(s, 5 * H, cfg);
    expect(stale.notification).toBeUndefined();
    s = stale.state;
    const first = evaluateBar(s, bar(5, 'calm', 0), cfg);
    expect(first.notification).toBeUndefined();
    expect(first.state.phase).toBe('firing');
    const next = evaluateBar(first.state, bar(6, 'calm', 0), cfg);
    expect(next.notification?.kind).toBe('resolved');
  });
});
