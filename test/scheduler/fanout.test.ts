import { describe, expect, it } from 'vitest';
import { deliverPending, retryDelayMs } from '../../src/alerts/fanout.js';
import { parseTargetKey, targetKey, type Notifier } from '../../src/alerts/notifier.js';
import type { Reply } from '../../src/domain/reply.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Delivery, NotificationRecord } from '../../src/store/types.js';
import { CapturingNotifier, capturingLogger } from './fakes.js';

const pending: Delivery = { status: 'pending', attempts: 0 };

function record(id: string, targets: string[], over: Partial<NotificationRecord> = {}): NotificationRecord {
  const [basket, episode, kind] = id.split(':');
  return {
    id,
    basket,
    episode: Number(episode),
    kind: kind as NotificationRecord['kind'],
    at: 1_700_000_000_000,
    createdAt: 1_700_000_100_000,
    payload: { basket, regime: 'converging', avgCorrelation: 0.8, z: 4 },
    deliveries: Object.fromEntries(targets.map((t) => [t, pending])),
    ...over,
  };
}

async function openStore(...records: NotificationRecord[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.open([]);
  for (const r of records) await store.addNotification(r);
  return store;
}

/** The outbox's backoff off: tests of what happens on each attempt, rounds milliseconds apart. */
const NO_BACKOFF = { maxAgeMs: 3_600_000, firstRetryMs: 0 };

describe('deliverPending', () => {
  it('renders each record once however many targets, delivers oldest first, threads follow-ups under the firing message', async () => {
    const store = await openStore(record('b:1:firing', ['slack:C1', 'slack:C2', 'discord:D1']));
    const slack = new CapturingNotifier('slack');
    const discord = new CapturingNotifier('discord');
    const renders: string[] = [];
    const render = async (r: NotificationRecord): Promise<Reply> => {
      renders.push(r.id);
      return { title: `rendered ${r.id}` };
    };
    const log = capturingLogger();
    const first = await deliverPending(store, [slack, discord], render, log, 10);
    expect(first).toEqual({ sent: 3, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(renders).toEqual(['b:1:firing']);
    const firing = (await store.getNotification('b:1:firing'))!;
    expect(firing.deliveries['slack:C1']).toEqual({ status: 'sent', attempts: 1, lastAttemptAt: 10, messageRef: 'slack/C1/1' });
    expect(firing.deliveries['discord:D1'].messageRef).toBe('discord/D1/1');

    // An escalation and a resolution of the same episode, and another basket's firing, enqueued later.
    await store.addNotification(record('b:1:escalated', ['slack:C1', 'discord:D1']));
    await store.addNotification(record('c:1:firing', ['slack:C1']));
    await store.addNotification(record('b:1:resolved', ['slack:C2', 'slack:C9']));
    const second = await deliverPending(store, [slack, discord], render, log, 20);
    expect(second).toEqual({ sent: 5, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(renders).toEqual(['b:1:firing', 'b:1:escalated', 'c:1:firing', 'b:1:resolved']);
    const after = [...slack.sent, ...discord.sent].filter((s) => s.id !== 'b:1:firing');
    const thread = Object.fromEntries(after.map((s) => [`${s.id} ${s.target}`, s.threadRef]));
    expect(thread).toEqual({
      'b:1:escalated slack:C1': 'slack/C1/1',
      'b:1:escalated discord:D1': 'discord/D1/1',
      'c:1:firing slack:C1': undefined,
      'b:1:resolved slack:C2': 'slack/C2/2',
      // No firing message on this channel (subscribed later): nothing to thread under.
      'b:1:resolved slack:C9': undefined,
    });
    // Nothing left: a third pass sends nothing.
    expect(await deliverPending(store, [slack, discord], render, log, 30)).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(await store.pendingNotifications()).toEqual([]);
  });

  it('a render failure is logged and a plain fallback message is still delivered', async () => {
    const store = await openStore(record('b:2:stale', ['slack:C1']));
    const slack = new CapturingNotifier('slack');
    const log = capturingLogger();
    const report = await deliverPending(store, [slack], async () => {
      throw new Error('canvas exploded');
    }, log, 5);
    expect(report).toEqual({ sent: 1, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(slack.sent[0].title).toBe('b: stale');
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['could not render alert']);
  });

  it('a record with one target sent and one pending: only the pending one is tried again', async () => {
    const store = await openStore(record('b:1:firing', ['slack:C1', 'slack:C2']));
    const slack = new CapturingNotifier('slack');
    slack.failures.set('C2', [{ ok: false, retryable: true, error: 'rate_limited' }]);
    const render = async () => ({ title: 't' });
    expect(await deliverPending(store, [slack], render, capturingLogger(), 1, undefined, NO_BACKOFF)).toEqual({ sent: 1, failed: 1, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(await deliverPending(store, [slack], render, capturingLogger(), 2, undefined, NO_BACKOFF)).toEqual({ sent: 1, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(slack.attempts.map((a) => a.target)).toEqual(['slack:C1', 'slack:C2', 'slack:C2']);
    const r = (await store.getNotification('b:1:firing'))!;
    expect(r.deliveries['slack:C1']).toMatchObject({ status: 'sent', attempts: 1, lastAttemptAt: 1 });
    expect(r.deliveries['slack:C2']).toMatchObject({ status: 'sent', attempts: 2, lastAttemptAt: 2 });
  });

  it('tells the observer every attempt: failed (retryable), gave up (permanent: at once), sent', async () => {
    const store = await openStore(record('b:1:firing', ['slack:C1', 'slack:C2']));
    const slack = new CapturingNotifier('slack');
    slack.failures.set('C1', [{ ok: false, retryable: true, error: 'rate_limited' }]);
    slack.failures.set('C2', Array.from({ length: 5 }, () => ({ ok: false as const, retryable: false, error: 'channel_not_found' })));
    const render = async () => ({ title: 't' });
    const seen: string[] = [];
    const t0 = 1_700_000_100_000;
    for (let i = 1; i <= 3; i++) await deliverPending(store, [slack], render, capturingLogger(), t0 + i, (a) => seen.push(`${a.platform}:${a.outcome}:${a.reason}`), NO_BACKOFF);
    expect(seen).toEqual(['slack:failed:retryable', 'slack:gave_up:permanent', 'slack:sent:ok']);
    expect((await store.getNotification('b:1:firing'))!.deliveries['slack:C2']).toMatchObject({ status: 'failed', attempts: 1, error: 'channel_not_found' });
  });

  it('a retryable failure is tried again after a doubling wait (capped) until the give-up age, then given up without another attempt', async () => {
    const t0 = 1_700_000_100_000; // the record's createdAt
    const store = await openStore(record('b:1:firing', ['slack:C1']));
    const slack = new CapturingNotifier('slack');
    slack.failures.set('C1', Array.from({ length: 20 }, () => ({ ok: false as const, retryable: true, error: 'rate_limited' })));
    const render = async () => ({ title: 't' });
    const policy = { maxAgeMs: 600_000, firstRetryMs: 60_000, maxRetryMs: 120_000 };
    const log = capturingLogger();
    const triedAt: number[] = [];
    let deferred = 0;
    // A round every 30 s, as `start` runs the outbox between ticks.
    for (let sec = 0; sec <= 600; sec += 30) {
      const r = await deliverPending(store, [slack], render, log, t0 + sec * 1000, (a) => a.outcome === 'failed' && triedAt.push(sec), policy);
      deferred += r.deferred;
    }
    // Waits of 60 s, 120 s, then 120 s (the cap) after each failure.
    expect(triedAt).toEqual([0, 60, 180, 300, 420, 540]);
    expect(deferred).toBe(21 - 6);
    const seen: string[] = [];
    expect(await deliverPending(store, [slack], render, log, t0 + 600_001, (a) => seen.push(`${a.outcome}:${a.reason}`), policy)).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 1, deferred: 0 });
    expect(seen).toEqual(['gave_up:expired']);
    expect(slack.attempts).toHaveLength(6);
    expect((await store.getNotification('b:1:firing'))!.deliveries['slack:C1']).toMatchObject({
      status: 'failed',
      attempts: 6,
      error: 'given up: not delivered within 10 min of the alert (last error: rate_limited)',
    });
    expect(log.lines.some((l) => l.msg === 'alert delivery given up: too old to post')).toBe(true);
    // never tried again
    expect(await deliverPending(store, [slack], render, log, t0 + 700_000, undefined, policy)).toEqual({ sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    expect(slack.sent).toHaveLength(0);
  });

  it('marks a delivery in flight while it is sent; one a stopped process left in flight is looked up on the platform first', async () => {
    const store = await openStore(record('b:1:firing', ['slack:C1', 'slack:C2']), record('b:2:firing', ['slack:C3']));
    const t0 = 1_700_000_100_000;
    for (const target of ['slack:C1', 'slack:C2']) await store.updateDelivery('b:1:firing', target, { status: 'pending', attempts: 0, lastAttemptAt: t0, inFlight: true });
    const lookups: string[] = [];
    const duringSend: unknown[] = [];
    const notifier: Notifier = {
      platform: 'slack',
      async send(channelId, m) {
        duringSend.push((await store.getNotification(m.record.id))!.deliveries[`slack:${channelId}`]);
        return { ok: true, messageRef: `${channelId}/new` };
      },
      async findSent(channelId, m) {
        lookups.push(`${m.record.id} ${channelId}`);
        return channelId === 'C1' ? 'C1/111.222' : undefined;
      },
    };
    const r = await deliverPending(store, [notifier], async () => ({ title: 't' }), capturingLogger(), t0 + 1000);
    expect(r).toEqual({ sent: 3, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 });
    // only the deliveries left in flight are looked up
    expect(lookups).toEqual(['b:1:firing C1', 'b:1:firing C2']);
    // C1 was found: not sent again; C2 was not: sent, and marked in flight while it was
    expect(duringSend).toEqual([
      { status: 'pending', attempts: 0, lastAttemptAt: t0 + 1000, inFlight: true },
      { status: 'pending', attempts: 0, lastAttemptAt: t0 + 1000, inFlight: true },
    ]);
    const b1 = (await store.getNotification('b:1:firing'))!.deliveries;
    expect(b1['slack:C1']).toEqual({ status: 'sent', attempts: 1, lastAttemptAt: t0, messageRef: 'C1/111.222' });
    expect(b1['slack:C2']).toEqual({ status: 'sent', attempts: 1, lastAttemptAt: t0 + 1000, messageRef: 'C2/new' });
    expect((await store.getNotification('b:2:firing'))!.deliveries['slack:C3']).toEqual({ status: 'sent', attempts: 1, lastAttemptAt: t0 + 1000, messageRef: 'C3/new' });
  });

  it('retryDelayMs: 30 s after the first failure, doubling, at most 10 min', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => retryDelayMs(n))).toEqual([0, 30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
  });

  it('targets on a platform with no notifier wait (pending, no attempt counted)', async () => {
    const store = await openStore(record('b:1:firing', ['discord:D1', 'slack:C1']));
    const slack = new CapturingNotifier('slack');
    const report = await deliverPending(store, [slack], async () => ({ title: 't' }), capturingLogger(), 5);
    expect(report).toEqual({ sent: 1, failed: 0, waiting: 1, gaveUp: 0, deferred: 0 });
    const r = (await store.getNotification('b:1:firing'))!;
    expect(r.deliveries['discord:D1']).toEqual(pending);
    expect(await store.pendingNotifications()).toHaveLength(1);
  });
});

describe('target keys', () => {
  it('round-trip, including channel ids that contain a colon', () => {
    for (const [platform, channelId] of [['slack', 'C1'], ['discord', '123:456'], ['console', 'stdout']] as const) {
      const key = targetKey(platform, channelId);
      expect(key).toBe(`${platform}:${channelId}`);
      expect(parseTargetKey(key)).toEqual({ platform, channelId });
    }
  });
});
