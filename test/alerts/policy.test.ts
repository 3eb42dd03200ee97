import { describe, expect, it } from 'vitest';
import {
  checkStale,
  evaluateBar,
  initialAlertState,
  parseAlertState,
  snoozeUntil,
  unsnooze,
  type AlertNotification,
  type AlertState,
  type BarInput,
  type PolicyConfig,
  type PolicyDecision,
} from '../../src/alerts/policy.js';
import { TEST_POLICY } from './test-policy.js';

const H = TEST_POLICY.barMs;
const cfg: PolicyConfig = { ...TEST_POLICY };
const T0 = Date.UTC(2024, 0, 1);
const at = (i: number) => T0 + i * H;

/** k calm, h calm but score between exit and entry (hysteresis band), c converging, s stressed, d decoupling. */
const LETTERS: Record<string, Omit<BarInput, 'at'>> = {
  k: { regime: 'calm', score: 0.2, avgCorrelation: 0.3 },
  h: { regime: 'calm', score: 1.5, avgCorrelation: 0.5 },
  c: { regime: 'converging', score: 2.5, avgCorrelation: 0.7 },
  s: { regime: 'stressed', score: 3.5, avgCorrelation: 0.85 },
  d: { regime: 'decoupling', score: -2.5, avgCorrelation: 0.05 },
};

interface Run {
  state: AlertState;
  decisions: PolicyDecision[];
  reasons: string[];
  notes: AlertNotification[];
  /** `kind@barIndex` for each notification, in order. */
  kinds: string[];
}

/** Feed bars `from`, `from+1`, … (one per letter, or explicit inputs) through evaluateBar. */
function feed(bars: string | Omit<BarInput, 'at'>[], opts: { state?: AlertState; from?: number; cfg?: PolicyConfig; now?: (at: number) => number } = {}): Run {
  let state = opts.state ?? initialAlertState();
  const from = opts.from ?? 0;
  const list = typeof bars === 'string' ? [...bars].map((l) => LETTERS[l]) : bars;
  const decisions = list.map((b, k) => {
    const input = { ...b, at: at(from + k) };
    const d = evaluateBar(state, input, opts.cfg ?? cfg, opts.now?.(input.at));
    state = d.state;
    return d;
  });
  const notes = decisions.flatMap((d) => (d.notification ? [d.notification] : []));
  const kinds = decisions.flatMap((d, k) => (d.notification ? [`${d.notification.kind}@${from + k}`] : []));
  return { state, decisions, reasons: decisions.map((d) => d.reason), notes, kinds };
}

describe('pending and firing', () => {
  it('a blip shorter than forBars never fires and resets pending', () => {
    const r = feed('kckkckd');
    expect(r.reasons).toEqual(['no_condition', 'pending', 'pending_reset', 'no_condition', 'pending', 'pending_reset', 'no_condition']);
    expect(r.notes).toEqual([]);
    expect(r.state).toEqual({ ...initialAlertState(), lastBarAt: at(6), last: LETTERS.d });
  });

  it('with forBars 3, two converging bars in a row are still noise', () => {
    const r = feed('cckcckccc', { cfg: { ...cfg, forBars: 3 } });
    expect(r.kinds).toEqual(['firing@8']);
    expect(r.reasons.slice(0, 6)).toEqual(['pending', 'pending', 'pending_reset', 'pending', 'pending', 'pending_reset']);
  });

  it('a sustained episode fires once after forBars and resolves once with its duration and peak', () => {
    const avgs = [0.3, 0.62, 0.71, 0.78, 0.74, 0.7, 0.66, 0.64, 0.35, 0.3];
    const bars = avgs.map((a, i) => ({ ...(i === 0 || i >= 8 ? LETTERS.k : LETTERS.c), avgCorrelation: a }));
    const r = feed(bars);
    expect(r.reasons).toEqual(['no_condition', 'pending', 'fired', 'firing', 'firing', 'firing', 'firing', 'firing', 'resolved', 'no_condition']);
    expect(r.notes).toEqual([
      { kind: 'firing', episode: 1, at: at(2), regime: 'converging', avgCorrelation: 0.71, score: 2.5, startedAt: at(1), reason: 'fired' },
      { kind: 'resolved', episode: 1, at: at(8), regime: 'calm', avgCorrelation: 0.35, score: 0.2, startedAt: at(1), durationMs: 7 * H, peakAvgCorrelation: 0.78, reason: 'resolved' },
    ]);
    expect(r.state.phase).toBe('inactive');
    expect(r.state.lastResolvedAt).toBe(at(8));
    expect(r.state.lastNotification).toEqual({ kind: 'resolved', at: at(8) });
  });

  it('does not resolve before minDwellBars bars of firing', () => {
    const r = feed('cc' + 'k'.repeat(7));
    // fired on bar 1; bars 1..6 are its 6 dwell bars; bar 7 is the first that may resolve it.
    expect(r.reasons).toEqual(['pending', 'fired', ...Array(5).fill('dwell_hold'), 'resolved', 'no_condition']);
    expect(r.kinds).toEqual(['firing@1', 'resolved@7']);
    expect(r.notes[1].durationMs).toBe(7 * H);
  });

  it('with minDwellBars 0 the bar after firing may resolve', () => {
    const r = feed('cck', { cfg: { ...cfg, minDwellBars: 0 } });
    expect(r.kinds).toEqual(['firing@1', 'resolved@2']);
  });
});

describe('hysteresis', () => {
  it('a score between exitScore and the entry level keeps the episode firing', () => {
    const r = feed('cc' + 'h'.repeat(10) + 'k');
    expect(r.reasons.slice(2, 12)).toEqual(Array(10).fill('hysteresis_hold'));
    expect(r.kinds).toEqual(['firing@1', 'resolved@12']);
  });

  it('a score exactly at exitScore does not end the episode (strictly below is required)', () => {
    const atExit = { regime: 'calm' as const, score: cfg.exitScore, avgCorrelation: 0.4 };
    const r = feed([LETTERS.c, LETTERS.c, ...Array(8).fill(atExit)]);
    expect(r.kinds).toEqual(['firing@1']);
    expect(r.state.phase).toBe('firing');
  });

  it('a bar still classified converging never ends the episode, even with a low score', () => {
    const lowConverging = { regime: 'converging' as const, score: 0.5, avgCorrelation: 0.6 };
    const r = feed([LETTERS.c, LETTERS.c, ...Array(8).fill(lowConverging), LETTERS.k]);
    expect(r.reasons.slice(2, 10)).toEqual(Array(8).fill('firing'));
    expect(r.kinds).toEqual(['firing@1', 'resolved@10']);
  });

  it('a stressed bar never ends the episode, even with a low score', () => {
    const lowStress = { regime: 'stressed' as const, score: 0.5, avgCorrelation: 0.6 };
    const r = feed([LETTERS.s, LETTERS.s, ...Array(8).fill(lowStress), LETTERS.k]);
    expect(r.kinds).toEqual(['firing@1', 'resolved@10']);
  });
});

describe('escalation', () => {
  it('an episode announced as converging notifies escalated once when stress comes', () => {
    const r = feed('ccc' + 's' + 'cscs' + 'k'.repeat(2));
    expect(r.kinds).toEqual(['firing@1', 'escalated@3', 'resolved@8']);
    expect(r.notes[1]).toMatchObject({ regime: 'stressed', episode: 1, startedAt: at(0), reason: 'escalated' });
    expect(r.reasons[3]).toBe('escalated');
    expect(r.reasons.slice(4, 8)).toEqual(['firing', 'firing', 'firing', 'firing']);
  });

  it('an episode that already fired as stressed never escalates', () => {
    const r = feed('cs' + 'cscs' + 'kk');
    expect(r.notes[0]).toMatchObject({ kind: 'firing', regime: 'stressed' });
    expect(r.kinds).toEqual(['firing@1', 'resolved@7']);
  });

  it('a new episode can escalate again', () => {
    const r = feed('ccs' + 'k'.repeat(6) + 'k'.repeat(24) + 'ccs');
    expect(r.kinds).toEqual(['firing@1', 'escalated@2', 'resolved@7', 'firing@34', 'escalated@35']);
    expect(r.notes.map((n) => n.episode)).toEqual([1, 1, 1, 2, 2]);
  });
});

describe('cooldown', () => {
  // Episode 1 fires on bar 1 and resolves on bar 7: the cooldown runs until bar 7 + 24 = 31.
  const first = 'cc' + 'k'.repeat(6);

  it('a new episode inside the cooldown is tracked silently and announced when the cooldown ends', () => {
    const r = feed(first + 'k'.repeat(2) + 'c'.repeat(30) + 'k'.repeat(7));
    expect(r.state.episode).toBe(2);
    expect(r.reasons.slice(10, 31)).toEqual(['pending', ...Array(20).fill('cooldown')]);
    expect(r.reasons[31]).toBe('cooldown_ended_fired');
    expect(r.kinds).toEqual(['firing@1', 'resolved@7', 'firing@31', 'resolved@40']);
    expect(r.notes[2]).toMatchObject({ episode: 2, startedAt: at(10), reason: 'cooldown_ended_fired' });
    expect(r.notes[3]).toMatchObject({ episode: 2, durationMs: at(40) - at(10) });
  });

  it('an episode that ends inside the cooldown is never announced, and does not extend the cooldown', () => {
    const r = feed(first + 'cc' + 'k'.repeat(6) + 'k'.repeat(20) + 'cc');
    expect(r.reasons.slice(8, 16)).toEqual(['pending', 'cooldown', ...Array(5).fill('dwell_hold'), 'resolved_unnotified']);
    // Bar 37 fires: 30 bars after the first resolution (bar 7), only 22 after the silent one (bar 15).
    expect(r.kinds).toEqual(['firing@1', 'resolved@7', 'firing@37']);
    expect(r.notes[2]).toMatchObject({ episode: 3, reason: 'fired' });
  });

  it('a new episode firing exactly when the cooldown ends fires normally', () => {
    const r = feed(first + 'k'.repeat(22) + 'cc');
    expect(r.kinds).toEqual(['firing@1', 'resolved@7', 'firing@31']);
    expect(r.reasons[31]).toBe('fired');
  });
});

describe('snooze', () => {
  it('suppresses firing, and announces the episode when the snooze ends if it is still firing', () => {
    const s0 = snoozeUntil(initialAlertState(), at(5));
    const r = feed('k' + 'c'.repeat(8), { state: s0 });
    // bar 4 closes at at(5), when the snooze ends: evaluated then (the default now), it announces the episode
    expect(r.reasons).toEqual(['no_condition', 'pending', 'snoozed', 'snoozed', 'snooze_ended_fired', 'firing', 'firing', 'firing', 'firing']);
    expect(r.kinds).toEqual(['firing@4']);
    expect(r.notes[0]).toMatchObject({ episode: 1, startedAt: at(1), reason: 'snooze_ended_fired' });
  });

  it('an episode that fires and ends during the snooze is never announced', () => {
    const s0 = snoozeUntil(initialAlertState(), at(40));
    const r = feed('cc' + 'k'.repeat(6) + 'k'.repeat(40), { state: s0 });
    expect(r.notes).toEqual([]);
    expect(r.reasons[7]).toBe('resolved_unnotified');
    expect(r.state.lastResolvedAt).toBeNull();
  });

  it('still sends the resolution of an announced episode while snoozed (it closes the alert, it pages no one)', () => {
    const a = feed('cc');
    const r = feed('k'.repeat(7), { state: snoozeUntil(a.state, at(20)), from: 2 });
    expect(r.reasons).toEqual([...Array(5).fill('dwell_hold'), 'resolved', 'no_condition']);
    expect(r.notes.map((n) => n.kind)).toEqual(['resolved']);
    expect(r.state.phase).toBe('inactive');
  });

  it('uses the wall-clock now passed in, not the bar time', () => {
    const s0 = snoozeUntil(initialAlertState(), at(2) + 60_000);
    const late = feed('ccc', { state: s0, now: () => at(2) + 120_000 });
    expect(late.kinds).toEqual(['firing@1']);
    const early = feed('ccc', { state: s0, now: () => at(2) });
    expect(early.reasons).toEqual(['pending', 'snoozed', 'snoozed']);
  });

  it('unsnooze ends the snooze: the held episode is announced on the next bar', () => {
    const a = feed('ccc', { state: snoozeUntil(initialAlertState(), at(100)) });
    expect(a.notes).toEqual([]);
    const r = feed('c', { state: unsnooze(a.state), from: 3 });
    expect(r.notes).toEqual([expect.objectContaining({ kind: 'firing', episode: 1, reason: 'snooze_ended_fired' })]);
  });

  it('suppresses escalation while snoozed and announces it on the first bar after', () => {
    const a = feed('cc');
    const b = feed('ss', { state: snoozeUntil(a.state, at(5)), from: 2 });
    expect(b.reasons).toEqual(['snoozed', 'snoozed']);
    const c = feed('cc', { state: b.state, from: 4 });
    expect(c.kinds).toEqual(['escalated@4']);
  });
});

describe('stale data', () => {
  const deadline = (s: AlertState) => (s.lastBarAt as number) + H + cfg.staleBars * H;

  it('notifies stale once, holds the episode, and notifies recovered once when bars come back', () => {
    const a = feed('cccccccc'); // firing since bar 1, last bar 7
    expect(checkStale(a.state, deadline(a.state), cfg).reason).toBe('fresh');
    const s1 = checkStale(a.state, deadline(a.state) + 1, cfg);
    expect(s1.notification).toEqual({ kind: 'stale', episode: 1, at: at(7), regime: 'converging', avgCorrelation: 0.7, score: 2.5, reason: 'stale' });
    expect(s1.state.stale).toBe(true);
    const s2 = checkStale(s1.state, deadline(a.state) + 10 * H, cfg);
    expect(s2.reason).toBe('stale_hold');
    expect(s2.notification).toBeUndefined();
    expect(s2.state).toEqual(s1.state);
    expect(s2.state.phase).toBe('firing');

    // Data comes back calm after the minimum dwell: recovered first, the resolution only on the next bar.
    const r = feed('kkk', { state: s2.state, from: 20 });
    expect(r.reasons).toEqual(['recovered', 'resolved', 'no_condition']);
    expect(r.notes[0]).toEqual({ kind: 'recovered', episode: 1, at: at(20), regime: 'calm', avgCorrelation: 0.3, score: 0.2, reason: 'recovered' });
    expect(r.notes[1]).toMatchObject({ kind: 'resolved', episode: 1, durationMs: at(21) - at(0) });
    expect(checkStale(r.state, at(22) + H, cfg).reason).toBe('fresh');
  });

  it('an outage restarts a pending episode: its bars were not consecutive', () => {
    const a = feed('kc');
    const s = checkStale(a.state, at(10), cfg);
    expect(s.reason).toBe('stale');
    const r = feed('cc', { state: s.state, from: 11 });
    expect(r.kinds).toEqual(['recovered@11', 'firing@12']);
    expect(r.notes[1]).toMatchObject({ episode: 1, reason: 'fired', startedAt: at(11) });
  });

  it('a firing the recovery bar would announce waits for the next bar', () => {
    const one = { ...cfg, forBars: 1 };
    const s = checkStale(feed('k', { cfg: one }).state, at(10), one);
    const r = feed('ccc', { state: s.state, from: 11, cfg: one });
    expect(r.reasons).toEqual(['recovered', 'fired', 'firing']);
    expect(r.notes[1]).toMatchObject({ kind: 'firing', episode: 1, at: at(12), startedAt: at(11) });
  });

  it('a recovery during a snooze is announced after it, and a second outage meanwhile is not a second stale', () => {
    const a = feed('kk');
    const s1 = checkStale(a.state, at(10), cfg);
    expect(s1.reason).toBe('stale');
    const b = feed('kk', { state: snoozeUntil(s1.state, at(30)), from: 11 });
    expect(b.reasons).toEqual(['snoozed', 'snoozed']);
    const s2 = checkStale(b.state, at(20), cfg); // gone again, still snoozed
    expect([s2.reason, s2.notification]).toEqual(['stale_hold', undefined]);
    const s3 = checkStale(s2.state, at(31), cfg); // snooze over, still missing: already announced
    expect([s3.reason, s3.notification]).toEqual(['stale_hold', undefined]);
    expect(feed('kk', { state: s3.state, from: 31 }).kinds).toEqual(['recovered@31']);
  });

  it('nothing is stale before the first bar', () => {
    expect(checkStale(initialAlertState(), at(1000), cfg).reason).toBe('no_data');
  });

  it('staleness during a snooze is announced after it if data is still missing, and only then is recovery announced', () => {
    const a = feed('k', { state: snoozeUntil(initialAlertState(), at(10)) });
    const s1 = checkStale(a.state, at(5), cfg);
    expect([s1.reason, s1.notification, s1.state.stale]).toEqual(['snoozed', undefined, true]);
    const s2 = checkStale(s1.state, at(10), cfg);
    expect(s2.reason).toBe('snooze_ended_stale');
    expect(s2.notification?.kind).toBe('stale');
    expect(feed('k', { state: s2.state, from: 11 }).kinds).toEqual(['recovered@11']);
    // Data back before the snooze ends: neither stale nor recovered is ever sent.
    expect(feed('k', { state: s1.state, from: 8 }).notes).toEqual([]);
  });
});

describe('idempotence', () => {
  it('a restarted process that re-evaluates the last bar from the stored state repeats nothing', () => {
    const a = feed('kcc'); // fires on bar 2
    expect(a.kinds).toEqual(['firing@2']);
    const restored = parseAlertState(JSON.parse(JSON.stringify(a.state)));
    expect(restored).toEqual(a.state);
    for (const i of [2, 1, 0]) {
      const d = evaluateBar(restored, { ...LETTERS.c, at: at(i) }, cfg);
      expect(d).toEqual({ state: restored, reason: 'duplicate_bar' });
    }
    // and the episode carries on from where it was: no second firing
    expect(feed('ck', { state: restored, from: 3 }).reasons).toEqual(['firing', 'dwell_hold']);
  });

  it('replaying a whole sequence over its own final state produces nothing', () => {
    const a = feed('ccskkkkkkkcc');
    const again = feed('ccskkkkkkkcc', { state: parseAlertState(JSON.parse(JSON.stringify(a.state))) });
    expect(again.notes).toEqual([]);
    expect(new Set(again.reasons)).toEqual(new Set(['duplicate_bar']));
  });
});

describe('inputs and config', () => {
  it('rejects a non-finite score and an unknown regime', () => {
    expect(() => evaluateBar(initialAlertState(), { at: T0, regime: 'calm', score: NaN, avgCorrelation: 0.1 }, cfg)).toThrow(/score must be a finite number/);
    expect(() => evaluateBar(initialAlertState(), { at: T0, regime: 'panic' as never, score: 1, avgCorrelation: 0.1 }, cfg)).toThrow(/unknown regime/);
  });

  it('rejects a config without hysteresis or with a zero forBars', () => {
    expect(() => feed('c', { cfg: { ...cfg, enterZ: 1, exitScore: 1 } })).toThrow(/exitScore \(1\) must be below enterZ \(1\)/);
    expect(() => feed('c', { cfg: { ...cfg, forBars: 0 } })).toThrow(/forBars must be an integer ≥ 1/);
    expect(() => checkStale(initialAlertState(), T0, { ...cfg, barMs: 0 })).toThrow(/barMs/);
  });

  it('rejects a snooze time that is not a number', () => {
    expect(() => snoozeUntil(initialAlertState(), NaN)).toThrow(/finite/);
  });
});
