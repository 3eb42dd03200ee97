import type { Regime } from '../domain/types.js';
import { isSnoozed, type AlertLevel, type AlertState, type NotificationKind } from './alert-state.js';
import { assertPolicyConfig, type PolicyConfig } from './policy-config.js';
import type { AlertNotification, BarInput, PolicyDecision } from './policy-types.js';
import type { ReasonCode } from './reasons.js';

/** What withholds this bar's notification: a snooze, or the `recovered` notification taking the bar's one slot. */
type Gate = 'snooze' | 'recovery' | null;

const isEntry = (r: Regime): r is AlertLevel => r === 'converging' || r === 'stressed';

/**
 * Exit condition: score below exitScore on a bar the detector no longer calls converging or stressed. The brief
 * asks for "not stressed"; "not converging" is added so that a bar the detector still calls converging never ends
 * an episode (with the real detector it cannot happen anyway: converging needs z ≥ enterZ > exitScore).
 */
const isExit = (b: BarInput, cfg: PolicyConfig): boolean => b.score < cfg.exitScore && !isEntry(b.regime);

const worse = (level: AlertLevel | null, r: Regime): AlertLevel | null =>
  level === 'stressed' || r === 'stressed' ? 'stressed' : r === 'converging' ? 'converging' : level;

const peak = (p: number | null, v: number): number => (p === null ? v : Math.max(p, v));

function note(kind: NotificationKind, episode: number, b: BarInput, regime: Regime, reason: ReasonCode, extra: Partial<AlertNotification> = {}): AlertNotification {
  return { kind, episode, at: b.at, regime, avgCorrelation: b.avgCorrelation, score: b.score, ...extra, reason };
}

/** The state with no episode in progress (what survives: counters, last bar, cooldown, snooze, staleness). */
function withoutEpisode(s: AlertState): AlertState {
  return { ...s, phase: 'inactive', level: null, pendingBars: 0, startedAt: null, firingSince: null, barsFiring: 0, peakAvgCorrelation: null, notified: false, escalated: false, heldBy: null };
}

function inCooldown(s: AlertState, at: number, cfg: PolicyConfig): boolean {
  return s.lastResolvedAt !== null && at < s.lastResolvedAt + cfg.cooldownBars * cfg.barMs;
}

/** A firing episode on a bar that does not end it: announce it, or its escalation, unless something holds it back. */
function announce(s: AlertState, b: BarInput, cfg: PolicyConfig, gate: Gate): PolicyDecision {
  const level = s.level ?? 'converging';
  if (!s.notified) {
    if (gate === 'snooze') return { state: { ...s, heldBy: 'snooze' }, reason: 'snoozed' };
    if (inCooldown(s, b.at, cfg)) return { state: { ...s, heldBy: 'cooldown' }, reason: 'cooldown' };
    // The recovery bar only delays by one bar; the reason for the later announcement stays the earlier hold's.
    if (gate === 'recovery') return { state: { ...s, heldBy: s.heldBy ?? 'recovery' }, reason: 'recovered' };
    const reason: ReasonCode = s.heldBy === 'snooze' ? 'snooze_ended_fired' : s.heldBy === 'cooldown' ? 'cooldown_ended_fired' : 'fired';
    const state: AlertState = { ...s, notified: true, escalated: level === 'stressed', heldBy: null };
    return { state, reason, notification: note('firing', s.episode, b, level, reason, { startedAt: s.startedAt ?? b.at }) };
  }
  if (level === 'stressed' && !s.escalated) {
    if (gate === 'snooze') return { state: s, reason: 'snoozed' };
    if (gate === 'recovery') return { state: s, reason: 'recovered' };
    return { state: { ...s, escalated: true }, reason: 'escalated', notification: note('escalated', s.episode, b, 'stressed', 'escalated', { startedAt: s.startedAt ?? b.at }) };
  }
  return { state: s, reason: isEntry(b.regime) ? 'firing' : 'hysteresis_hold' };
}

/** No episode or a pending one: count consecutive bars meeting the entry condition; fire at forBars. */
function quietStep(s: AlertState, b: BarInput, cfg: PolicyConfig, gate: Gate): PolicyDecision {
  if (!isEntry(b.regime)) return s.phase === 'pending' ? { state: withoutEpisode(s), reason: 'pending_reset' } : { state: s, reason: 'no_condition' };
  const pendingBars = s.pendingBars + 1;
  const next: AlertState = { ...s, phase: 'pending', pendingBars, startedAt: s.startedAt ?? b.at, level: worse(s.level, b.regime), peakAvgCorrelation: peak(s.peakAvgCorrelation, b.avgCorrelation) };
  if (pendingBars < cfg.forBars) return { state: next, reason: 'pending' };
  const fired: AlertState = { ...next, phase: 'firing', episode: s.episode + 1, pendingBars: 0, firingSince: b.at, barsFiring: 1, notified: false, escalated: false, heldBy: null };
  return announce(fired, b, cfg, gate);
}

/** A firing episode: hold it (dwell, recovery bar) or resolve it when the exit condition holds, else announce. */
function firingStep(s: AlertState, b: BarInput, cfg: PolicyConfig, gate: Gate, endsOutage = false): PolicyDecision {
  const exit = isExit(b, cfg);
  // The bar that resolves an episode is its first bar outside it: it does not count toward the peak.
  const counted: AlertState = { ...s, barsFiring: s.barsFiring + 1, level: worse(s.level, b.regime), peakAvgCorrelation: peak(s.peakAvgCorrelation, b.avgCorrelation) };
  if (!exit) return announce(counted, b, cfg, gate);
  if (s.barsFiring < cfg.minDwellBars) return { state: counted, reason: 'dwell_hold' };
  if (gate === 'recovery') return { state: counted, reason: 'recovered' };
  // The first bar after missing data never resolves (missing data is never a resolution), snoozed or not.
  if (gate === 'snooze' && endsOutage) return { state: counted, reason: 'snoozed' };
  const ended = withoutEpisode(s);
  if (!s.notified) return { state: ended, reason: 'resolved_unnotified' };
  const resolvedState: AlertState = { ...ended, lastResolvedAt: b.at };
  // A snooze does not withhold the end of an episode that was announced: it pages no one, and without it the
  // channel would show a firing alert that never ends.
  const startedAt = s.startedAt ?? b.at;
  const extra = { startedAt, durationMs: b.at - startedAt, peakAvgCorrelation: s.peakAvgCorrelation ?? b.avgCorrelation };
  return { state: resolvedState, reason: 'resolved', notification: note('resolved', s.episode, b, b.regime, 'resolved', extra) };
}

function assertBarInput(b: BarInput): void {
  const bad = (['at', 'score', 'avgCorrelation'] as const).filter((k) => typeof b[k] !== 'number' || !Number.isFinite(b[k]));
  if (bad.length) throw new TypeError(`evaluateBar: ${bad.map((k) => `${k} must be a finite number, got ${String(b[k])}`).join('; ')}`);
  if (!['calm', 'converging', 'stressed', 'decoupling'].includes(b.regime)) throw new TypeError(`evaluateBar: unknown regime ${JSON.stringify(b.regime)}`);
}

/**
 * Apply the alert policy to one closed bar of a basket (an Alertmanager-style dedup stage: a pure decision with
 * a reason, the clock passed in). At most one notification per bar. `now` (ms) decides whether the basket is
 * snoozed; it defaults to the bar's close (`at + barMs`), the earliest moment the bar could be evaluated.
 *
 * - A bar not newer than the last evaluated changes nothing (`duplicate_bar`): replaying after a restart never
 *   repeats a notification.
 * - inactive → pending on a converging/stressed bar; pending → firing after forBars consecutive such bars;
 *   any other bar while pending → inactive.
 * - firing → resolved (then inactive) on the first bar with score < exitScore and a calm/decoupling regime, once
 *   the episode has lasted minDwellBars bars. Resolution notifies with durationMs = at − startedAt and the peak.
 * - The first bar after data was announced missing (the first after the snooze, if one hides it) notifies
 *   `recovered`; a firing/escalation it would have announced waits for the next bar, and it never resolves an
 *   episode (missing data is never a resolution). A pending episode does not survive an outage: its bars were
 *   not consecutive.
 */
export function evaluateBar(state: AlertState, input: BarInput, cfg: PolicyConfig, now: number = input.at + cfg.barMs): PolicyDecision {
  assertPolicyConfig(cfg);
  assertBarInput(input);
  if (state.lastBarAt !== null && input.at <= state.lastBarAt) return { state, reason: 'duplicate_bar' };
  const snoozed = isSnoozed(state, now);
  // An announced outage owes a `recovered`; a snooze only postpones it (else chat would show "missing" forever).
  const recovering = state.staleNotified;
  const gate: Gate = snoozed ? 'snooze' : recovering ? 'recovery' : null;
  const last = { regime: input.regime, score: input.score, avgCorrelation: input.avgCorrelation };
  const fresh: AlertState = { ...state, lastBarAt: input.at, last, stale: false, staleNotified: recovering && snoozed };
  // A data outage breaks a run of consecutive bars: a pending episode starts over. A firing one is held instead.
  const base = state.stale && state.phase === 'pending' ? withoutEpisode(fresh) : fresh;
  const d = base.phase === 'firing' ? firingStep(base, input, cfg, gate, state.stale || state.staleNotified) : quietStep(base, input, cfg, gate);
  if (recovering) {
    if (snoozed) return { state: d.state, reason: 'snoozed' };
    const n = note('recovered', d.state.episode, input, input.regime, 'recovered');
    return { state: { ...d.state, lastNotification: { kind: n.kind, at: n.at } }, notification: n, reason: 'recovered' };
  }
  if (!d.notification) return d;
  return { ...d, state: { ...d.state, lastNotification: { kind: d.notification.kind, at: d.notification.at } } };
}
