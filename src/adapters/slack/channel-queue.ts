import { KeyedSerialQueue } from '../../domain/serial-queue.js';
import { classifySlackError } from './slack-errors.js';

export interface ChannelQueueOptions {
  /** Gap between the end of one call and the start of the next in the same channel (Slack: about 1 message/s). */
  minIntervalMs?: number;
  /** Retries of a call answered with HTTP 429, each after the Retry-After Slack gave. */
  maxRateLimitRetries?: number;
  /** A longer Retry-After is not waited for: the call fails (an alert stays pending for the next tick). */
  maxRetryAfterMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRateLimited?: (info: { channel: string; what: string; waitMs: number; attempt: number }) => void;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Serialises the calls that post into one channel (messages, file shares, updates) and spaces them by
 * `minIntervalMs`; different channels run independently. A 429 pauses that channel for Retry-After and the call
 * is tried again, a bounded number of times; any other failure is passed to the caller at once.
 */
export class ChannelQueue {
  private readonly lanes = new KeyedSerialQueue();
  /** When each channel may be posted to next (kept after its lane empties, for the spacing). */
  private readonly nextAt = new Map<string, number>();
  private readonly minIntervalMs: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfterMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ChannelQueueOptions = {}) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.maxRetries = opts.maxRateLimitRetries ?? 3;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  run<T>(channel: string, what: string, fn: () => Promise<T>): Promise<T> {
    return this.lanes.run(channel, () => this.attempt(channel, what, fn));
  }

  /**
   * A call that posts nothing into `channel` (a private upload the message will reference): not serialised with the
   * channel's posts nor spaced from them, so an answer's chart is not paced like a message; a 429 is still waited out
   * (Retry-After) and retried like any other call.
   */
  async runUnpaced<T>(channel: string, what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const f = classifySlackError(e);
        if (f.retryAfterMs === undefined || attempt > this.maxRetries || f.retryAfterMs > this.maxRetryAfterMs) throw e;
        this.opts.onRateLimited?.({ channel, what, waitMs: f.retryAfterMs, attempt });
        await this.sleep(f.retryAfterMs);
      }
    }
  }

  /** Resolves when every call queued so far has finished. */
  async idle(): Promise<void> {
    await this.lanes.idle();
  }

  private async attempt<T>(channel: string, what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const wait = (this.nextAt.get(channel) ?? 0) - this.now();
      if (wait > 0) await this.sleep(wait);
      try {
        const r = await fn();
        this.nextAt.set(channel, this.now() + this.minIntervalMs);
        return r;
      } catch (e) {
        const f = classifySlackError(e);
        if (f.retryAfterMs === undefined) {
          this.nextAt.set(channel, this.now() + this.minIntervalMs);
          throw e;
        }
        this.nextAt.set(channel, this.now() + Math.max(f.retryAfterMs, this.minIntervalMs));
        if (attempt > this.maxRetries || f.retryAfterMs > this.maxRetryAfterMs) throw e;
        this.opts.onRateLimited?.({ channel, what, waitMs: f.retryAfterMs, attempt });
      }
    }
  }
}
