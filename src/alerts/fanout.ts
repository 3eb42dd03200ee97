import type { Logger } from '../log.js';
import type { Reply } from '../domain/reply.js';
import type { NotificationRecord, Store } from '../store/types.js';
import { parseTargetKey, type Notifier } from './notifier.js';

export interface FanoutReport {
  sent: number;
  failed: number;
  /** Deliveries whose platform has no notifier running in this process (left pending). */
  waiting: number;
}

/** One delivery attempt, for metrics: sent, failed (tried again later) or gave_up; why, when it did not go. */
export interface DeliveryAttempt {
  platform: string;
  outcome: 'sent' | 'failed' | 'gave_up';
  reason: 'ok' | 'retryable' | 'permanent';
}

/** Attempts after which a delivery that keeps failing with a non-retryable error is given up (status `failed`). */
const MAX_ATTEMPTS = 5;

/**
 * Deliver every pending notification to every target not yet sent, one target at a time. Each target's failure
 * is isolated: it is recorded on that delivery (still `pending` when a retry may help, so the next tick tries
 * again) and the others go on. A delivery marked `sent` is never sent again, across restarts. Renders each
 * record's Reply once, however many targets it has.
 */
export async function deliverPending(
  store: Store,
  notifiers: Notifier[],
  render: (record: NotificationRecord) => Promise<Reply>,
  log: Logger,
  now: number,
  onAttempt?: (attempt: DeliveryAttempt) => void,
): Promise<FanoutReport> {
  const report: FanoutReport = { sent: 0, failed: 0, waiting: 0 };
  const byPlatform = new Map(notifiers.map((n) => [n.platform, n]));
  for (const record of await store.pendingNotifications()) {
    let reply: Reply | undefined;
    for (const [target, delivery] of Object.entries(record.deliveries)) {
      if (delivery.status !== 'pending') continue;
      const { platform, channelId } = parseTargetKey(target);
      const notifier = byPlatform.get(platform);
      if (!notifier) {
        report.waiting++;
        continue;
      }
      try {
        reply ??= await render(record);
      } catch (e) {
        log.error('could not render alert', { id: record.id, error: e });
        reply = { title: `${record.basket}: ${record.kind}`, text: 'The chart could not be rendered.', severity: 'warning' };
      }
      const threadRef = record.kind === 'firing' ? undefined : await firingRef(store, record, target);
      let result;
      try {
        result = await notifier.send(channelId, { record, reply, threadRef });
      } catch (e) {
        result = { ok: false as const, retryable: true, error: e instanceof Error ? e.message : String(e) };
      }
      const attempts = delivery.attempts + 1;
      if (result.ok) {
        report.sent++;
        onAttempt?.({ platform, outcome: 'sent', reason: 'ok' });
        await store.updateDelivery(record.id, target, { status: 'sent', attempts, lastAttemptAt: now, messageRef: result.messageRef });
      } else {
        report.failed++;
        const giveUp = !result.retryable && attempts >= MAX_ATTEMPTS;
        onAttempt?.({ platform, outcome: giveUp ? 'gave_up' : 'failed', reason: result.retryable ? 'retryable' : 'permanent' });
        log.warn('alert delivery failed', { id: record.id, target, attempts, retryable: result.retryable, error: result.error });
        await store.updateDelivery(record.id, target, { status: giveUp ? 'failed' : 'pending', attempts, lastAttemptAt: now, error: result.error });
      }
    }
  }
  return report;
}

async function firingRef(store: Store, record: NotificationRecord, target: string): Promise<string | undefined> {
  const firing = await store.getNotification(`${record.basket}:${record.episode}:firing`);
  return firing?.deliveries[target]?.messageRef;
}
