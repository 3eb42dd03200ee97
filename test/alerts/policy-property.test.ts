import fc from 'fast-check';
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
import type { Regime } from '../../src/domain/types.js';

const H = 3_600_000;

type Op =
  | { t: 'bars'; regime: Regime; score: number; avg: number; n: number; gap: number }
  | { t: 'tick'; bars: number }
  | { t: 'snooze'; bars: number }
  | { t: 'unsnooze' }
  | { t: 'dup' }
  | { t: 'restart' };

// `+ 0` turns -0 into 0: JSON cannot write -0, so the restart round trip would differ only by that sign.
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((x) => x + 0);
const regime = fc.constantFrom<Regime>('calm', 'calm', 'converging', 'converging', 'stressed', 'decoupling');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ t: fc.constant('bars' as const), regime, score: num(-3, 4), avg: num(-0.2, 0.99), n: fc.integer({ min: 1, max: 8 }), gap: fc.oneof({ weight: 6, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 8 }) }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('tick' as const), bars: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('snooze' as const), bars: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unsnooze' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dup' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);
const config: fc.Arbitrary<PolicyConfig> = fc.record({
  barMs: fc.constant(H),
  forBars: fc.integer({ min: 1, max: 3 }),
  exitScore: fc.constant(1),
  minDwellBars: fc.integer({ min: 0, max: 4 }),
  cooldownBars: fc.integer({ min: 0, max: 6 }),
  staleBars: fc.integer({ min: 1, max: 3 }),
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

interface Emitted {
  note: AlertNotification;
  before: AlertState;
  now: number;
  snoozed: boolean;
}

/** Drive the policy like the watcher does (stale check, then the bar), with restarts, replays and snoozes. */
function simulate(cfg: PolicyConfig, ops: Op[]): Emitted[] {
  let state = initialAlertState();
  let clock = 0;
  let last: BarInput | undefined;
  let snoozedUntil: number | null = null;
  const out: Emitted[] = [];
  const apply = (d: PolicyDecision, before: AlertState, now: number) => {
    if (d.notification) out.push({ note: d.notification, before, now, snoozed: snoozedUntil !== null && now < snoozedUntil });
    state = d.state;
  };
  const call = (f: (s: AlertState) => PolicyDecision, now: number) => {
    const before = deepFreeze(state); // the policy must never mutate the state it is given
    apply(f(before), before, now);
  };
  for (const o of ops) {
    if (o.t === 'bars') {
      for (let k = 0; k < o.n; k++) {
        const at = (last?.at ?? 0) + (k === 0 ? o.gap : 1) * H;
        clock = Math.max(clock, at + H);
        const bar: BarInput = { at, regime: o.regime, score: o.score, avgCorrelation: o.avg };
        call((s) => checkStale(s, clock, cfg), clock);
        call((s) => evaluateBar(s, bar, cfg, clock), clock);
        last = bar;
      }
    } else if (o.t === 'tick') {
      clock += o.bars * H;
      call((s) => checkStale(s, clock, cfg), clock);
    } else if (o.t === 'snooze') {
      snoozedUntil = clock + o.bars * H;
      state = snoozeUntil(state, snoozedUntil);
    } else if (o.t === 'unsnooze') {
      snoozedUntil = null;
      state = unsnooze(state);
    } else if (o.t === 'dup' && last) {
      const before = deepFreeze(state);
      const d = evaluateBar(before, last, cfg, clock);
      expect(d).toEqual({ state: before, reason: 'duplicate_bar' });
    } else if (o.t === 'restart') {
      const restored = parseAlertState(JSON.parse(JSON.stringify(state)));
      expect(restored).toEqual(state);
      state = restored;
    }
  }
  return out;
}

/** The rules the notification stream must obey, whatever the data. */
function checkStream(cfg: PolicyConfig, out: Emitted[]): void {
  const fired = new Map<number, AlertNotification>();
  const escalated = new Set<number>();
  const resolved = new Set<number>();
  let lastEpisode = 0;
  let lastFiring = 0;
  let staleOpen = false;
  for (const { note: n, before, snoozed } of out) {
    // Only the end of an announced episode may go out during a snooze (it pages no one).
    if (n.kind !== 'resolved') expect(snoozed, `${n.kind} sent while snoozed`).toBe(false);
    expect(n.episode).toBeGreaterThanOrEqual(lastEpisode);
    lastEpisode = n.episode;
    switch (n.kind) {
      case 'firing':
        expect(n.episode, 'episode ids increase').toBeGreaterThan(lastFiring);
        lastFiring = n.episode;
        fired.set(n.episode, n);
        expect(n.score >= cfg.exitScore || n.regime === 'converging' || n.regime === 'stressed').toBe(true);
        break;
      case 'escalated':
        expect(fired.get(n.episode)?.regime, 'escalated follows a firing announced as converging').toBe('converging');
        expect(escalated.has(n.episode), 'escalated at most once').toBe(false);
        expect(resolved.has(n.episode)).toBe(false);
        escalated.add(n.episode);
        break;
      case 'resolved': {
        const f = fired.get(n.episode);
        expect(f, 'resolved follows a notified firing of the same episode').toBeDefined();
        expect(resolved.has(n.episode), 'resolved at most once').toBe(false);
        resolved.add(n.episode);
        expect(n.score).toBeLessThan(cfg.exitScore);
        expect(before.stale, 'never resolved on the bar that ends an announced outage').toBe(false);
        expect(n.startedAt).toBe(f?.startedAt);
        expect(n.durationMs).toBe(n.at - (n.startedAt as number));
        expect(n.peakAvgCorrelation).toBeGreaterThanOrEqual(f?.avgCorrelation as number);
        expect(n.at - (before.firingSince as number)).toBeGreaterThanOrEqual(cfg.minDwellBars * cfg.barMs);
        break;
      }
      case 'stale':
        expect(staleOpen, 'no second stale before recovered').toBe(false);
        staleOpen = true;
        break;
      case 'recovered':
        expect(staleOpen, 'recovered only after stale').toBe(true);
        staleOpen = false;
        break;
    }
    if (n.kind === 'firing' || n.kind === 'escalated') expect(resolved.has(n.episode), 'nothing after resolved').toBe(false);
  }
}

describe('alert policy properties', () => {
  it('notifications alternate correctly for any sequence of bars, gaps, snoozes, replays and restarts', () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(config, fc.array(op, { maxLength: 60 }), (cfg, ops) => {
        const out = simulate(cfg, ops);
        checkStream(cfg, out);
        for (const e of out) kinds.set(e.note.kind, (kinds.get(e.note.kind) ?? 0) + 1);
      }),
      { numRuns: Number(process.env.CW_PROPERTY_RUNS ?? 400) },
    );
    // The generator must reach every kind of notification, or the properties above prove little.
    expect([...kinds.keys()].sort()).toEqual(['escalated', 'firing', 'recovered', 'resolved', 'stale']);
  });
});
