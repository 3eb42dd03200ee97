import { describe, expect, it } from 'vitest';
import { AlertStateError, evaluateBar, initialAlertState, parseAlertState, type AlertState } from '../../src/alerts/policy.js';
import { TEST_POLICY } from './test-policy.js';

const H = TEST_POLICY.barMs;
const firing = (): AlertState => {
  let s = initialAlertState();
  for (let i = 0; i < 3; i++) s = evaluateBar(s, { at: i * H, regime: 'converging', score: 2.5, avgCorrelation: 0.7 }, TEST_POLICY).state;
  return s;
};

/** The issues parseAlertState reports for a value (fails the test if it accepts it). */
function issuesOf(value: unknown): string[] {
  try {
    parseAlertState(value);
  } catch (e) {
    expect(e).toBeInstanceOf(AlertStateError);
    return (e as AlertStateError).issues;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe('parseAlertState', () => {
  it('accepts the states the policy writes, after a JSON round trip', () => {
    for (const s of [initialAlertState(), firing()]) expect(parseAlertState(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(firing().phase).toBe('firing');
  });

  it('drops unknown keys', () => {
    expect(parseAlertState({ ...initialAlertState(), extra: 1 })).toEqual(initialAlertState());
  });

  it('rejects values that are not a state object', () => {
    for (const v of [null, undefined, 'firing', 42, []]) expect(issuesOf(v).length).toBeGreaterThan(0);
  });

  it('names the offending field', () => {
    expect(issuesOf({ ...initialAlertState(), phase: 'resolved' })).toEqual([expect.stringMatching(/^phase: /)]);
    expect(issuesOf({ ...initialAlertState(), episode: -1 })).toEqual([expect.stringMatching(/^episode: /)]);
    expect(issuesOf({ ...initialAlertState(), snoozedUntil: '2024-01-01' })).toEqual([expect.stringMatching(/^snoozedUntil: /)]);
    expect(issuesOf({ ...firing(), last: { regime: 'calm', score: null, avgCorrelation: 0.1 } })).toEqual([expect.stringMatching(/^last\.score: /)]);
    const { stale: _stale, ...missing } = initialAlertState();
    expect(issuesOf(missing)).toEqual([expect.stringMatching(/^stale: /)]);
  });

  it('rejects an unknown schema version', () => {
    expect(issuesOf({ ...initialAlertState(), version: 2 })).toEqual([expect.stringMatching(/^version: /)]);
  });

  it('rejects states the policy cannot reach', () => {
    expect(issuesOf({ ...firing(), firingSince: null })).toEqual([expect.stringMatching(/firing state needs/)]);
    expect(issuesOf({ ...initialAlertState(), phase: 'pending' })).toEqual([expect.stringMatching(/pending state needs/)]);
    expect(issuesOf({ ...initialAlertState(), notified: true })).toEqual([expect.stringMatching(/inactive state carries/)]);
    expect(issuesOf({ ...initialAlertState(), lastBarAt: 0 })).toEqual(['lastBarAt and last must be both set or both null']);
    expect(issuesOf({ ...initialAlertState(), stale: true })).toEqual(['stale without any bar seen']);
    expect(issuesOf({ ...firing(), notified: false, escalated: true })).toEqual(['escalated without a notified firing']);
  });

  it('the error message lists every problem', () => {
    expect(() => parseAlertState({ ...initialAlertState(), phase: 'x', stale: 'no' })).toThrow(/^malformed alert state: phase: .*; stale: /);
  });
});
