import { describe, expect, it } from 'vitest';
import { healthOf } from '../../src/ops/health.js';

const base = { startedAt: 1_000_000, periodMs: 60_000, version: '1.2.3', lastTickAt: '2024-01-01T00:00:00Z' };

describe('healthOf (GET /healthz)', () => {
  it('ok while the last completed tick is at most two schedule periods old', () => {
    const h = healthOf({ ...base, now: 1_200_000, lastCompletedAt: 1_080_000 });
    expect(h).toEqual({ status: 200, body: { status: 'ok', version: '1.2.3', lastTickAt: '2024-01-01T00:00:00Z', secondsSinceLastTick: 120, schedulePeriodSeconds: 60 } });
  });

  it('503 store_failing while the store cannot be written, however recent the last tick', () => {
    const h = healthOf({ ...base, now: 1_200_000, lastCompletedAt: 1_150_000, storeError: { at: 1_170_000, message: 'cannot append to data/history.jsonl: ENOSPC' } });
    expect(h).toEqual({
      status: 503,
      body: {
        status: 'store_failing',
        version: '1.2.3',
        lastTickAt: '2024-01-01T00:00:00Z',
        secondsSinceLastTick: 50,
        schedulePeriodSeconds: 60,
        reason: 'the store cannot be written (for 30 s): cannot append to data/history.jsonl: ENOSPC',
      },
    });
  });

  it('503 with the reason once it is older than two periods', () => {
    const h = healthOf({ ...base, now: 1_200_001, lastCompletedAt: 1_080_000 });
    expect(h.status).toBe(503);
    expect(h.body.status).toBe('stale');
    expect(h.body.reason).toBe('the last tick completed 120 s ago, more than two schedule periods of 60 s');
  });

  it('starting (200) before the first tick completes, 503 once two periods pass without one', () => {
    expect(healthOf({ ...base, now: 1_100_000, lastCompletedAt: undefined })).toMatchObject({ status: 200, body: { status: 'starting', secondsSinceLastTick: null } });
    const late = healthOf({ ...base, now: 1_130_000, lastCompletedAt: undefined, lastTickAt: undefined });
    expect(late).toMatchObject({ status: 503, body: { status: 'stale', lastTickAt: null } });
    expect(late.body.reason).toBe('no tick has completed in the 130 s since start (more than two schedule periods of 60 s)');
  });
});
