import type { HealthReport } from '../domain/ops.js';

export type { HealthReport };

export interface HealthInput {
  /** Wall-clock ms now, when the watcher started, and when its last tick completed (undefined before one did). */
  now: number;
  startedAt: number;
  lastCompletedAt: number | undefined;
  /** ms between scheduled ticks. */
  periodMs: number;
  version: string;
  lastTickAt: string | undefined;
  /** Set while the store cannot be written (the last tick failed on it): when, and the store's message. */
  storeError?: { at: number; message: string };
}

const secs = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Health of the watcher: unhealthy (503) while the store cannot be written, when the last tick that completed is
 * older than two schedule periods, or when none has completed within two periods of the start, with the reason in words (issue 10: an orchestrator's
 * HEALTHCHECK restarts a process whose schedule has stopped or whose ticks hang). Pure: the clock is an argument.
 */
export function healthOf(h: HealthInput): HealthReport {
  const limit = 2 * h.periodMs;
  const base = { version: h.version, lastTickAt: h.lastTickAt ?? null, schedulePeriodSeconds: secs(h.periodMs) };
  if (h.storeError) {
    const since = h.lastCompletedAt === undefined ? null : secs(h.now - h.lastCompletedAt);
    return { status: 503, body: { ...base, status: 'store_failing', secondsSinceLastTick: since, reason: `the store cannot be written (for ${secs(h.now - h.storeError.at)} s): ${h.storeError.message}` } };
  }
  if (h.lastCompletedAt === undefined) {
    const since = h.now - h.startedAt;
    if (since <= limit) return { status: 200, body: { ...base, status: 'starting', secondsSinceLastTick: null } };
    return {
      status: 503,
      body: { ...base, status: 'stale', secondsSinceLastTick: null, reason: `no tick has completed in the ${secs(since)} s since start (more than two schedule periods of ${secs(h.periodMs)} s)` },
    };
  }
  const age = h.now - h.lastCompletedAt;
  if (age <= limit) return { status: 200, body: { ...base, status: 'ok', secondsSinceLastTick: secs(age) } };
  return {
    status: 503,
    body: { ...base, status: 'stale', secondsSinceLastTick: secs(age), reason: `the last tick completed ${secs(age)} s ago, more than two schedule periods of ${secs(h.periodMs)} s` },
  };
}
