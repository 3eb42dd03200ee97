import { expectedBarsBetween } from '../domain/calendar.js';
import { isSnoozed, type AlertState } from './alert-state.js';
import { assertPolicyConfig, type PolicyConfig } from './policy-config.js';
import type { AlertNotification, PolicyDecision } from './policy-types.js';

/**
 * Whether data is missing at `now`: the bars the calendar expects after the last bar seen that have closed by now
 * (expectedBarsBetween) reach staleBars + closureBars. On the `continuous` calendar with no closure allowance this
 * is now > lastBarAt + barMs + staleBars·barMs; a weekend of a `weekdays` market counts nothing, and a holiday is
 * covered by closureBars.
 */
export function isOverdue(lastBarAt: number, now: number, cfg: PolicyConfig): boolean {
  const overdue = expectedBarsBetween(cfg.calendar ?? 'continuous', cfg.barMs, lastBarAt, now);
  return overdue >= cfg.staleBars + (cfg.closureBars ?? 0);
}

/**
 * Call on every tick, bars or not. Data is missing when isOverdue (staleBars expected bars past the end of the
 * last bar seen, after any closure allowance). Then notify `stale` once (its `at` is the last bar
 * seen) and mark the state stale. Nothing here ever resolves an episode: only a new bar can, through
 * evaluateBar, which first announces `recovered`. A staleness hidden by a snooze is announced on the first check
 * after the snooze if data is still missing; an outage already announced and not yet recovered is not announced
 * again.
 */
export function checkStale(state: AlertState, now: number, cfg: PolicyConfig): PolicyDecision {
  assertPolicyConfig(cfg);
  if (!Number.isFinite(now)) throw new TypeError(`checkStale: now must be a finite time in ms, got ${String(now)}`);
  if (state.lastBarAt === null || state.last === null) return { state, reason: 'no_data' };
  if (!state.stale && !isOverdue(state.lastBarAt, now, cfg)) return { state, reason: 'fresh' };
  // Announced and not yet recovered (maybe data came back during a snooze and went again): chat already says so.
  if (state.staleNotified) return { state: { ...state, stale: true }, reason: 'stale_hold' };
  if (isSnoozed(state, now)) return { state: { ...state, stale: true }, reason: 'snoozed' };
  const reason = state.stale ? 'snooze_ended_stale' : 'stale';
  const n: AlertNotification = { kind: 'stale', episode: state.episode, at: state.lastBarAt, regime: state.last.regime, avgCorrelation: state.last.avgCorrelation, score: state.last.score, reason };
  return { state: { ...state, stale: true, staleNotified: true, lastNotification: { kind: 'stale', at: n.at } }, notification: n, reason };
}
