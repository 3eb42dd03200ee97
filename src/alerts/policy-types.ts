import type { Regime } from '../domain/types.js';
import type { AlertState, NotificationKind } from './alert-state.js';
import type { ReasonCode } from './reasons.js';

/** What the regime detector says about one closed bar. */
export interface BarInput {
  /** Bar open time, ms. */
  at: number;
  regime: Regime;
  /** z-score of atanh(avg correlation) against the basket's baseline. */
  score: number;
  avgCorrelation: number;
}

/** A message the policy decided to send. `at` is a bar open time (for `stale`: the last bar seen). */
export interface AlertNotification {
  kind: NotificationKind;
  /** The episode it belongs to (for `stale`/`recovered`: the latest episode, 0 before any fired). */
  episode: number;
  at: number;
  /** For `firing`/`escalated`: the episode's level; otherwise the bar's regime. */
  regime: Regime;
  avgCorrelation: number;
  score: number;
  /** Episode notifications: open time of the episode's first bar meeting the entry condition. */
  startedAt?: number;
  /** `resolved`: from startedAt to the bar that resolved it. */
  durationMs?: number;
  /** `resolved`: highest avg correlation over the episode. */
  peakAvgCorrelation?: number;
  reason: ReasonCode;
}

/** The policy's answer for one bar or one stale check: the next state, maybe a notification, and why. */
export interface PolicyDecision {
  state: AlertState;
  notification?: AlertNotification;
  reason: ReasonCode;
}
