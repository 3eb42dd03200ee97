import { describe, expect, it } from 'vitest';
import { SourceError } from '../../src/domain/errors.js';
import { backoffMs, withRetry, type RetryOptions } from '../../src/market/retry.js';

function opts(sleeps: number[], extra: Partial<RetryOptions> = {}): RetryOptions {
  return {
    maxRetries: 3,
    baseMs: 100,
    maxMs: 1000,
    maxRetryAfterMs: 60_000,
    random: () => 0,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  };
}

describe('withRetry', () => {
  it('retries retryable errors with capped exponential backoff and succeeds', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const v = await withRetry(async (attempt) => {
      expect(attempt).toBe(n);
      if (n++ < 3) throw new SourceError('unavailable', 'down', true);
      return 'ok';
    }, opts(sleeps, { random: () => 0.999999, baseMs: 400 }));
    expect(v).toBe('ok');
    expect(sleeps).toEqual([400, 800, 1000]);
  });

  it('jitters between half and all of the delay', () => {
    expect(backoffMs(2, { baseMs: 100, maxMs: 10_000, random: () => 0 })).toBe(200);
    expect(backoffMs(2, { baseMs: 100, maxMs: 10_000, random: () => 0.5 })).toBe(300);
  });

  it('does not retry non-retryable or foreign errors', async () => {
    for (const err of [new SourceError('bad_response', 'no', false), new TypeError('bug')]) {
      const sleeps: number[] = [];
      let calls = 0;
      await expect(
        withRetry(async () => {
          calls++;
          throw err;
        }, opts(sleeps)),
      ).rejects.toBe(err);
      expect(calls).toBe(1);
      expect(sleeps).toEqual([]);
    }
  });

  it('gives up after maxRetries and says how many attempts were made', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const e = await withRetry(async () => {
      calls++;
      throw new SourceError('timeout', 'slow', true);
    }, opts(sleeps, { maxRetries: 2 })).catch((x: unknown) => x as SourceError);
    expect(calls).toBe(3);
    expect(e.code).toBe('timeout');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe('slow; gave up after 3 attempts');
  });

  it('waits at least the Retry-After, and not at all when it is too long', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw new SourceError('rate_limited', 'slow down', true);
        return 1;
      },
      opts(sleeps),
      () => 5000,
    );
    expect(sleeps).toEqual([5000]);
    const e = await withRetry(async () => {
      throw new SourceError('rate_limited', 'slow down', true);
    }, opts(sleeps), () => 120_000).catch((x: unknown) => x as SourceError);
    expect(e.message).toBe('slow down; the exchange asks to wait 120s before trying again');
    expect(sleeps).toEqual([5000]);
  });
});
