/**
 * The alert policy for one basket: a pure state machine (inactive → pending → firing → resolved) with hysteresis,
 * minimum dwell, escalation, cooldown, snooze, staleness and idempotent replays. Like Alertmanager's dedup stage
 * (notify/dedup_stage.go): it returns a decision and a reason code and takes the clock as an argument; delivery
 * is someone else's job (fanout.ts). The state is plain JSON, persisted between ticks.
 */
export { evaluateBar } from './evaluate-bar.js';
export { checkStale } from './check-stale.js';
export { initialAlertState, isSnoozed, snoozeUntil, unsnooze } from './alert-state.js';
export type { AlertLevel, AlertPhase, AlertState, HeldBy, LastReading, NotificationKind } from './alert-state.js';
export { AlertStateError, parseAlertState } from './parse-state.js';
export { assertPolicyConfig, policyConfigProblems, withCalendar } from './policy-config.js';
export type { PolicyConfig } from './policy-config.js';
export type { AlertNotification, BarInput, PolicyDecision } from './policy-types.js';
export { REASONS } from './reasons.js';
export type { ReasonCode } from './reasons.js';
