import type { Regime } from '../domain/types.js';

/**
 * Where a basket's episode is. `resolved` is not a phase: resolving notifies and returns to `inactive` on the same
 * bar, so a stored state is always one of these three.
 */
export type AlertPhase = 'inactive' | 'pending' | 'firing';

/** How severe an episode has been so far (the worse regime seen wins). */
export type AlertLevel = 'converging' | 'stressed';

/** Why a firing episode's announcement is being held back; it says which reason code announces it later. */
export type HeldBy = 'cooldown' | 'snooze' | 'recovery';

/** The last bar evaluated, kept so that a `stale` notification can say what the data last showed. */
export interface LastReading {
  regime: Regime;
  score: number;
  avgCorrelation: number;
}

/**
 * The alert policy's state for one basket. A plain JSON object: absent values are `null` (never `undefined`) so
 * that a JSON round trip through the store gives back an equal object. Persisted between ticks and restarts.
 */
export interface AlertState {
  /** Schema version, so a future change can migrate stored states instead of discarding them. */
  version: 1;
  phase: AlertPhase;
  /** Id of the latest episode that fired (0 before the first). Increases by one each time an episode fires. */
  episode: number;
  /** Severity of the current episode (null when inactive). */
  level: AlertLevel | null;
  /** Consecutive bars meeting the entry condition so far (pending only; 0 otherwise). */
  pendingBars: number;
  /** Open time of the episode's first bar meeting the entry condition (its start for duration). */
  startedAt: number | null;
  /** Open time of the bar the episode fired on. */
  firingSince: number | null;
  /** Bars evaluated while firing, counting the one it fired on (for the minimum dwell). */
  barsFiring: number;
  /** Highest avg correlation over the episode's bars (pending and firing). */
  peakAvgCorrelation: number | null;
  /** Whether this episode's `firing` has been notified. */
  notified: boolean;
  /** Whether stress has been announced for this episode (by `escalated`, or by a `firing` that already said stressed). */
  escalated: boolean;
  /** Why a firing, not yet notified episode is held back (null when nothing is held). */
  heldBy: HeldBy | null;
  /** Open time of the last bar evaluated; bars at or before it are duplicates. */
  lastBarAt: number | null;
  last: LastReading | null;
  /** Open time of the bar on which the last announced episode resolved (the cooldown counts from it). */
  lastResolvedAt: number | null;
  /** Nothing is notified while `now` is before this time (ms). */
  snoozedUntil: number | null;
  /** Data is missing: staleBars expected bars overdue (checkStale). Cleared by the next bar. */
  stale: boolean;
  /**
   * A `stale` was announced and its `recovered` not yet: set when stale is notified, cleared when recovered is.
   * It can outlive `stale` when data comes back during a snooze (the `recovered` then waits for the snooze's end).
   */
  staleNotified: boolean;
  lastNotification: { kind: NotificationKind; at: number } | null;
}

/** What a notification says happened. */
export type NotificationKind = 'firing' | 'escalated' | 'resolved' | 'stale' | 'recovered';

/** The state of a basket never evaluated: inactive, no episode yet, not snoozed, not stale. */
export function initialAlertState(): AlertState {
  return {
    version: 1,
    phase: 'inactive',
    episode: 0,
    level: null,
    pendingBars: 0,
    startedAt: null,
    firingSince: null,
    barsFiring: 0,
    peakAvgCorrelation: null,
    notified: false,
    escalated: false,
    heldBy: null,
    lastBarAt: null,
    last: null,
    lastResolvedAt: null,
    snoozedUntil: null,
    stale: false,
    staleNotified: false,
    lastNotification: null,
  };
}

/**
 * Snooze the basket until `until` (ms). Nothing is notified before then; the state keeps evolving, and an episode
 * that fired meanwhile and is still firing is announced on the first bar after the snooze.
 */
export function snoozeUntil(state: AlertState, until: number): AlertState {
  if (!Number.isFinite(until)) throw new RangeError(`snoozeUntil: until must be a finite time in ms, got ${String(until)}`);
  return { ...state, snoozedUntil: until };
}

/** End a snooze now; what it held back is announced on the next bar (or the next stale check) if still true. */
export function unsnooze(state: AlertState): AlertState {
  return { ...state, snoozedUntil: null };
}

/** Whether notifications are withheld at `now`. */
export function isSnoozed(state: AlertState, now: number): boolean {
  return state.snoozedUntil !== null && now < state.snoozedUntil;
}
