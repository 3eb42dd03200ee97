import { describe, expect, it, vi } from 'vitest';
import { SourceError } from '../../src/domain/errors.js';
import { backoffMs, realSleep, withRetry, type RetryOptions } from '../../src/market/retry.js';

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

describe('withRetry with an AbortSignal', () => {
  it('an abort during a retry wait rejects at once with code aborted and tries no more (the sleep need not listen)', async () => {
    const ac = new AbortController();
    let calls = 0;
    let waiting!: () => void;
    const inWait = new Promise<void>((r) => (waiting = r));
    const p = withRetry(
      async () => {
        calls++;
        throw new SourceError('rate_limited', 'slow down', true);
      },
      // A backoff that never ends on its own: only the abort can end the wait.
      opts([], {
        sleep: () => {
          waiting();
          return new Promise<void>(() => undefined);
        },
      }),
      () => undefined,
      { signal: ac.signal, what: 'fetching BTC/USDT 1h candles' },
    );
    await inWait;
    ac.abort(new Error('corrwatch is stopping'));
    const e = (await p.catch((x: unknown) => x)) as SourceError;
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('aborted');
    expect(e.retryable).toBe(false);
    expect(e.message).toBe('cancelled while fetching BTC/USDT 1h candles: corrwatch is stopping');
    expect(calls).toBe(1);
  });

  it('an abort while an attempt is in flight rejects at once; the attempt is dropped, not retried', async () => {
    const ac = new AbortController();
    let calls = 0;
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    let finish!: (v: string) => void;
    const p = withRetry(
      () => {
        calls++;
        started();
        return new Promise<string>((r) => (finish = r));
      },
      opts([]),
      () => undefined,
      { signal: ac.signal },
    );
    await inFlight;
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'aborted', message: 'cancelled: the call was aborted' });
    finish('too late');
    expect(calls).toBe(1);
  });

  it('an already aborted signal: no attempt at all', async () => {
    let calls = 0;
    const p = withRetry(async () => ++calls, opts([]), () => undefined, { signal: AbortSignal.abort() });
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    expect(calls).toBe(0);
  });

  it('realSleep ends early on an abort and leaves no timer behind', async () => {
    // Fake timers: the sleep can only end through the abort (no clock moves), and the timer count shows what is left.
    vi.useFakeTimers();
    try {
      const ac = new AbortController();
      const p = realSleep(60_000, ac.signal);
      expect(vi.getTimerCount()).toBe(1);
      ac.abort();
      await p;
      expect(vi.getTimerCount()).toBe(0);
      await realSleep(1, AbortSignal.abort());
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
