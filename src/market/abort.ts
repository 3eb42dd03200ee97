/**
 * Cancelling market calls (issue 10: a graceful stop aborts the tick in flight). A call given an AbortSignal rejects
 * with SourceError('aborted') as soon as the signal fires, whatever it was waiting for (a request, a retry's
 * backoff), and starts no further request. Work that cannot be cancelled (a ccxt request: ccxt takes no signal) is
 * raced against the signal and left to finish on its own; its outcome is ignored.
 */
import { SourceError } from '../domain/errors.js';

/** Why the signal fired, in words: the reason given to abort() when it is an Error with a message of its own. */
function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name !== 'AbortError' && r.message) return r.message;
  if (typeof r === 'string' && r) return r;
  return 'the call was aborted';
}

/** The error an aborted call rejects with; `what` says what was being done (`fetching BTC/USDT 1h candles`). */
export function abortedError(signal: AbortSignal, what?: string): SourceError {
  return new SourceError('aborted', `cancelled${what ? ` while ${what}` : ''}: ${reasonText(signal)}`, false, { cause: signal.reason });
}

/** Throw abortedError when the signal has fired (before starting a request). */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}

/** True for the error of an aborted call. */
export function isAborted(e: unknown): e is SourceError {
  return e instanceof SourceError && e.code === 'aborted';
}

/**
 * `p`, unless the signal fires first: then a rejection with abortedError at once. `p` goes on (nothing can stop it)
 * and its outcome, a rejection included, is dropped.
 */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, what?: string): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(abortedError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
