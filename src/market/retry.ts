import { SourceError } from '../domain/errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (so at most maxRetries + 1 attempts). */
  maxRetries: number;
  /** Delay before the first retry; doubles each retry. */
  baseMs: number;
  /** Cap of one backoff delay. */
  maxMs: number;
  /** A server-requested wait (Retry-After) longer than this is not waited for: the error is thrown at once. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1) for the jitter; injectable so tests are deterministic. */
  random: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
 * attempts were made; any other error is thrown at once.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: RetryOptions,
  retryAfterMs: (e: SourceError) => number | undefined = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (!(e instanceof SourceError) || !e.retryable) throw e;
      const serverWait = retryAfterMs(e);
      if (serverWait !== undefined && serverWait > opts.maxRetryAfterMs) {
        throw new SourceError(e.code, `${e.message}; the exchange asks to wait ${Math.ceil(serverWait / 1000)}s before trying again`, true, { cause: e });
      }
      if (attempt >= opts.maxRetries) {
        const tries = attempt + 1;
        throw new SourceError(e.code, tries > 1 ? `${e.message}; gave up after ${tries} attempts` : e.message, true, { cause: e });
      }
      await opts.sleep(Math.max(backoffMs(attempt, opts), serverWait ?? 0));
    }
  }
}
