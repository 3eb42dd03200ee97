import { describe, expect, it } from 'vitest';
import { ChannelQueue } from '../../../src/adapters/slack/channel-queue.js';

/** A virtual clock: sleeping advances it at once, so the schedule can be checked exactly without waiting. */
function virtualTime() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const rateLimited = (retryAfter: number) => Object.assign(new Error('rate limited'), { code: 'slack_webapi_rate_limited_error', retryAfter });

describe('ChannelQueue', () => {
  it('runs calls into one channel one at a time, spaced, in order', async () => {
    const clock = virtualTime();
    const q = new ChannelQueue({ ...clock, minIntervalMs: 1000 });
    const starts: [string, number][] = [];
    const call = (name: string) => async () => void starts.push([name, clock.now()]);
    await Promise.all([q.run('C1', 'a', call('a')), q.run('C1', 'b', call('b')), q.run('C1', 'c', call('c'))]);
    expect(starts).toEqual([['a', 0], ['b', 1000], ['c', 2000]]);
  });

  it('keeps channels independent', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const q = new ChannelQueue({ minIntervalMs: 0 });
    const slow = q.run('C1', 'slow', () => blocked);
    await expect(q.run('C2', 'fast', async () => 'done')).resolves.toBe('done');
    release();
    await slow;
  });

  it('waits Retry-After after a 429 and tries again, a bounded number of times', async () => {
    const clock = virtualTime();
    const seen: number[] = [];
    const q = new ChannelQueue({ ...clock, minIntervalMs: 1000, maxRateLimitRetries: 2 });
    let n = 0;
    const r = await q.run('C1', 'post', async () => {
      seen.push(clock.now());
      if (++n < 3) throw rateLimited(5);
      return 'ok';
    });
    expect(r).toBe('ok');
    expect(seen).toEqual([0, 5000, 10000]);
    await expect(q.run('C1', 'post', async () => Promise.reject(rateLimited(1)))).rejects.toThrow('rate limited');
  });

  it('does not wait for a Retry-After longer than allowed, and passes other errors on at once', async () => {
    const clock = virtualTime();
    const q = new ChannelQueue({ ...clock, maxRetryAfterMs: 10_000 });
    let calls = 0;
    await expect(q.run('C1', 'post', async () => (calls++, Promise.reject(rateLimited(60))))).rejects.toThrow();
    expect(calls).toBe(1);
    await expect(q.run('C2', 'post', async () => (calls++, Promise.reject(new Error('boom'))))).rejects.toThrow('boom');
    expect(calls).toBe(2);
    // A failure does not block the channel.
    await expect(q.run('C2', 'post', async () => 'next')).resolves.toBe('next');
  });
});

describe('ChannelQueue.runUnpaced (private uploads)', () => {
  it('is neither serialised with nor spaced from the channel\'s posts, and still waits out a 429', async () => {
    const { ChannelQueue } = await import('../../../src/adapters/slack/channel-queue.js');
    let now = 0;
    const slept: number[] = [];
    const q = new ChannelQueue({ minIntervalMs: 1000, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) });
    await q.run('C1', 'chat.postMessage', async () => 'posted');
    // a post right now would wait 1000 ms; an unpaced call does not
    expect(await q.runUnpaced('C1', 'files.uploadV2', async () => 'F1')).toBe('F1');
    expect(slept).toEqual([]);
    let calls = 0;
    const limited = Object.assign(new Error('An API error occurred: ratelimited'), { code: 'slack_webapi_rate_limited_error', retryAfter: 2 });
    const r = await q.runUnpaced('C1', 'files.uploadV2', async () => {
      if (++calls === 1) throw limited;
      return 'F2';
    });
    expect(r).toBe('F2');
    expect(slept).toEqual([2000]);
  });
});
