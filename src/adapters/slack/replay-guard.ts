/**
 * What Bolt's signature check leaves open (issue 11): it refuses a request signed more than five minutes ago, but
 * accepts one dated in the future, and the same signed request sent again within the five minutes runs again. Slack
 * signs `v0:<timestamp>:<body>`, so the signature header identifies one request; a second request with the same
 * signature is a replay (Slack's own retries of an event carry a new timestamp, hence a new signature).
 *
 * This guard runs before Bolt's check, on the headers alone: it refuses a timestamp more than `skewSeconds` ahead of
 * our clock, and a signature already seen within the window. A signature is remembered until the window after its
 * timestamp has passed (then Bolt refuses the request as stale anyway). Forged signatures are remembered too: they can
 * never match a genuine one, and the memory is bounded (`maxRemembered`, oldest forgotten first). One process only:
 * replicas behind a load balancer do not share what they have seen (docs: the PostgreSQL scale-out).
 */
export interface ReplayGuardOptions {
  /** Seconds a signed request stays valid: Slack's and Bolt's five minutes. */
  windowSeconds?: number;
  /** How far ahead of our clock a timestamp may be (clock skew between Slack and this host). */
  skewSeconds?: number;
  maxRemembered?: number;
  now?: () => number;
}

export type ReplayVerdict = { ok: true } | { ok: false; reason: 'future_timestamp' | 'replayed' };

export class SlackReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #window: number;
  readonly #skew: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(opts: ReplayGuardOptions = {}) {
    this.#window = opts.windowSeconds ?? 300;
    this.#skew = opts.skewSeconds ?? 60;
    this.#max = opts.maxRemembered ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Judge a request by its `x-slack-request-timestamp` and `x-slack-signature` headers. Missing or malformed headers
   * pass: Bolt refuses those with its own message.
   */
  check(timestampHeader: string | undefined, signatureHeader: string | undefined): ReplayVerdict {
    const nowSec = Math.floor(this.#now() / 1000);
    this.#forgetExpired(nowSec);
    const ts = Number(timestampHeader);
    if (timestampHeader === undefined || !Number.isFinite(ts)) return { ok: true };
    if (ts > nowSec + this.#skew) return { ok: false, reason: 'future_timestamp' };
    if (!signatureHeader) return { ok: true };
    if (this.#seen.has(signatureHeader)) return { ok: false, reason: 'replayed' };
    this.#seen.set(signatureHeader, ts + this.#window);
    if (this.#seen.size > this.#max) this.#seen.delete(this.#seen.keys().next().value!);
    return { ok: true };
  }

  /** How long after its timestamp a signature is remembered, in seconds. */
  get windowSeconds(): number {
    return this.#window;
  }

  /** Signatures remembered (for tests of the bound). */
  get size(): number {
    return this.#seen.size;
  }

  #forgetExpired(nowSec: number): void {
    // Insertion order is close to timestamp order; an entry out of order is dropped a little late, never early.
    for (const [sig, expires] of this.#seen) {
      if (expires >= nowSec) break;
      this.#seen.delete(sig);
    }
  }
}
