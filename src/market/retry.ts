import { SourceError } from '../domain/errors.js';
import { abortable, isAborted, throwIfAborted } from './abort.js';

export interface RetryOptions {
  /** Retries after the first attempt (so at most maxRetries + 1 attempts). */
  maxRetries: number;
  /** Delay before the first retry; doubles each retry. */
  baseMs: number;
  /** Cap of one backoff delay. */
  maxMs: number;
  /** A server-requested wait (Retry-After) longer than this is not waited for: the error is thrown at once. */
  maxRetryAfterMs: number;
  /** Wait `ms`; may end early when the signal fires (the retry loop does not rely on it: it races the signal). */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) for the jitter; injectable so tests are deterministic. */
  random: () => number;
}

/** setTimeout as a promise; an abort ends the wait at once and clears the timer (nothing is left to hold the process). */
export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export interface RetryCall {
  /** Abort: the loop rejects at once with SourceError('aborted') (during an attempt or a backoff) and tries no more. */
  signal?: AbortSignal;
  /** What is being done, for the aborted error's message (`fetching BTC/USDT 1h candles from ...`). */
  what?: string;
}

/**
 * Backoff before retry k (k = 0 for the first retry): min(maxMs, baseMs·2^k) scaled by a jitter factor in
 * [0.5, 1) ("equal jitter"), so that clients that failed together do not retry in lockstep.
 */
export function backoffMs(k: number, opts: Pick<RetryOptions, 'baseMs' | 'maxMs' | 'random'>): number {
  const capped = Math.min(opts.maxMs, opts.baseMs * 2 ** k);
  return Math.round(capped * (0.5 + 0.5 * opts.random()));
}

/**
 * Run `fn` (given the attempt number, 0 first), retrying only on retryable SourceErrors, at most `maxRetries` times, waiting the larger of the
 * backoff and the server's Retry-After (`retryAfterMs`, read after each failure). The final error says how many
 * attempts were made; any other error is thrown at once. With `call.signal`, an abort rejects at once with
 * SourceError('aborted'), whether an attempt is in flight (its outcome is dropped) or the loop is waiting to retry.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
  retryAfterMs: (e: SourceError) => number | undefined = () => undefined,
  call: RetryCall = {},
): Promise<T> {
  const { signal, what } = call;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal, what);
    try {
      return await abortable(fn(attempt), signal, what);
    } catch (e) {
      if (isAborted(e) || !(e instanceof SourceError) || !e.retryable) throw e;
      const serverWait = retryAfterMs(e);
      if (serverWait !== undefined && serverWait > opts.maxRetryAfterMs) {
        throw new SourceError(e.code, `${e.message}; the exchange asks to wait ${Math.ceil(serverWait / 1000)}s before trying again`, true, { cause: e });
      }
      if (attempt >= opts.maxRetries) {
        const tries = attempt + 1;
        throw new SourceError(e.code, tries > 1 ? `${e.message}; gave up after ${tries} attempts` : e.message, true, { cause: e });
      }
      await abortable(opts.sleep(Math.max(backoffMs(attempt, opts), serverWait ?? 0), signal), signal, what);
    }
  }
}
