import { z } from 'zod';
import { issueLines } from '../domain/issues.js';
import type { AlertState } from './alert-state.js';

/** A stored alert state that is not one the policy could have written; `issues` lists each problem. */
export class AlertStateError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`malformed alert state: ${issues.join('; ')}`);
    this.name = 'AlertStateError';
    this.issues = issues;
  }
}

const time = z.number(); // zod 4 rejects NaN and ±Infinity
const count = z.number().int().min(0);

const shape = z.object({
  version: z.literal(1),
  phase: z.enum(['inactive', 'pending', 'firing']),
  episode: count,
  level: z.enum(['converging', 'stressed']).nullable(),
  pendingBars: count,
  startedAt: time.nullable(),
  firingSince: time.nullable(),
  barsFiring: count,
  peakAvgCorrelation: z.number().nullable(),
  notified: z.boolean(),
  escalated: z.boolean(),
  heldBy: z.enum(['cooldown', 'snooze', 'recovery']).nullable(),
  lastBarAt: time.nullable(),
  last: z.object({ regime: z.enum(['calm', 'converging', 'stressed', 'decoupling']), score: z.number(), avgCorrelation: z.number() }).nullable(),
  lastResolvedAt: time.nullable(),
  snoozedUntil: time.nullable(),
  stale: z.boolean(),
  staleNotified: z.boolean(),
  lastNotification: z.object({ kind: z.enum(['firing', 'escalated', 'resolved', 'stale', 'recovered']), at: time }).nullable(),
});

/** Cross-field rules every state written by the policy obeys; each failing rule is one issue. */
function inconsistencies(s: AlertState): string[] {
  const episodeFields = s.startedAt !== null && s.level !== null && s.peakAvgCorrelation !== null;
  const noEpisodeFields = s.startedAt === null && s.firingSince === null && s.level === null && s.peakAvgCorrelation === null;
  const rules: [boolean, string][] = [
    [s.phase !== 'inactive' || (noEpisodeFields && s.pendingBars === 0 && s.barsFiring === 0 && !s.notified && s.heldBy === null), 'inactive state carries episode fields'],
    [s.phase !== 'pending' || (episodeFields && s.pendingBars >= 1 && s.firingSince === null && s.barsFiring === 0 && !s.notified && s.heldBy === null), 'pending state needs startedAt, level, peak and pendingBars ≥ 1, and no firing fields'],
    [s.phase !== 'firing' || (episodeFields && s.firingSince !== null && s.barsFiring >= 1 && s.pendingBars === 0 && s.episode >= 1), 'firing state needs startedAt, firingSince, level, peak, barsFiring ≥ 1 and episode ≥ 1'],
    [!s.escalated || s.notified, 'escalated without a notified firing'],
    [!s.notified || s.heldBy === null, 'notified episode cannot be held back'],
    [(s.lastBarAt === null) === (s.last === null), 'lastBarAt and last must be both set or both null'],
    [!s.stale || s.lastBarAt !== null, 'stale without any bar seen'],
    [!s.staleNotified || s.lastBarAt !== null, 'staleNotified without any bar seen'],
  ];
  return rules.filter(([ok]) => !ok).map(([, msg]) => msg);
}

/**
 * Validate a stored alert state (from JSON) and return it typed. Throws AlertStateError naming every problem,
 * so a corrupt or hand-edited store is detected instead of driving the policy into an impossible state.
 * Unknown extra keys are dropped.
 */
export function parseAlertState(json: unknown): AlertState {
  const r = shape.safeParse(json);
  if (!r.success) throw new AlertStateError(issueLines(r.error.issues));
  const state: AlertState = r.data;
  const bad = inconsistencies(state);
  if (bad.length) throw new AlertStateError(bad);
  return state;
}
