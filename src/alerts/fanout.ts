import type { Logger } from '../log.js';
import type { Reply } from '../domain/reply.js';
import type { NotificationRecord, Store } from '../store/types.js';
import { parseTargetKey, type Notifier } from './notifier.js';

export interface FanoutReport {
  sent: number;
  failed: number;
  /** Deliveries whose platform has no notifier running in this process (left pending). */
  waiting: number;
  /** Deliveries given up this round: a permanent error, or older than the give-up age (never posted late). */
  gaveUp: number;
  /** Deliveries that failed before and whose backoff wait is not over (tried on a later round). */
  deferred: number;
}

/** How the outbox retries and gives up. */
export interface GiveUpPolicy {
  /** A delivery not sent this long after its alert was decided is given up, never posted late (default 1 h). */
  maxAgeMs: number;
  /** Wait after the first failed attempt before the next; doubled after each failure (default 30 s). */
  firstRetryMs?: number;
  /** The longest wait between attempts (default 10 min). */
  maxRetryMs?: number;
}

export const DEFAULT_GIVE_UP: GiveUpPolicy = { maxAgeMs: 3_600_000 };

/** Wait before attempt `attempts + 1` of a delivery that failed `attempts` times: exponential, capped. */
export function retryDelayMs(attempts: number, policy: GiveUpPolicy = DEFAULT_GIVE_UP): number {
  if (attempts <= 0) return 0;
  const first = policy.firstRetryMs ?? 30_000;
  return Math.min(policy.maxRetryMs ?? 600_000, first * 2 ** (attempts - 1));
}

/** One delivery attempt, for metrics: sent, failed (tried again later) or gave_up; why, when it did not go. */
export interface DeliveryAttempt {
  platform: string;
  outcome: 'sent' | 'failed' | 'gave_up';
  /** expired: not delivered within the give-up age (not tried again). */
  reason: 'ok' | 'retryable' | 'permanent' | 'expired';
}

/**
 * Deliver every pending notification to every target not yet sent, one target at a time. Each target's failure
 * is isolated: it is recorded on that delivery and the others go on. A failure a retry may cure (429, 5xx, a
 * timeout) stays `pending` and is tried on the next tick, until the alert is older than `policy.maxAgeMs`; a
 * permanent one (a channel that does not exist, a missing scope, any other 4xx) is given up at once (`failed`).
 * A delivery older than the give-up age is given up without being tried, whether its platform failed or is not
 * running in this process: an alert is never posted late (issue 11). A delivery marked `sent` is never sent again,
 * across restarts. Renders each record's Reply once, however many targets it has.
 */
export async function deliverPending(
  store: Store,
  notifiers: Notifier[],
  render: (record: NotificationRecord) => Promise<Reply>,
  log: Logger,
  now: number,
  onAttempt?: (attempt: DeliveryAttempt) => void,
  policy: GiveUpPolicy = DEFAULT_GIVE_UP,
): Promise<FanoutReport> {
  const report: FanoutReport = { sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 };
  const byPlatform = new Map(notifiers.map((n) => [n.platform, n]));
  for (const record of await store.pendingNotifications()) {
    let reply: Reply | undefined;
    for (const [target, delivery] of Object.entries(record.deliveries)) {
      if (delivery.status !== 'pending') continue;
      const { platform, channelId } = parseTargetKey(target);
      const age = now - record.createdAt;
      if (age > policy.maxAgeMs) {
        report.gaveUp++;
        onAttempt?.({ platform, outcome: 'gave_up', reason: 'expired' });
        const error = `given up: not delivered within ${Math.round(policy.maxAgeMs / 60_000)} min of the alert${delivery.error ? ` (last error: ${delivery.error})` : ''}`;
        log.warn('alert delivery given up: too old to post', { id: record.id, target, attempts: delivery.attempts, ageMinutes: Math.round(age / 60_000) });
        const { inFlight: _unconfirmed, ...rest } = delivery;
        await store.updateDelivery(record.id, target, { ...rest, status: 'failed', error });
        continue;
      }
      // Backoff: a delivery that failed is tried again only once its wait is over (the outbox runs every tick and,
      // under `start`, every 30 s in between).
      if (delivery.lastAttemptAt !== undefined && now < delivery.lastAttemptAt + retryDelayMs(delivery.attempts, policy)) {
        report.deferred++;
        continue;
      }
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
      // A send whose outcome was never recorded (the process stopped in between): ask the platform first.
      if (delivery.inFlight && notifier.findSent) {
        let found: string | undefined;
        try {
          found = await notifier.findSent(channelId, { record, reply, threadRef });
        } catch (e) {
          log.warn('could not check whether an unconfirmed alert was posted; sending it', { id: record.id, target, error: e instanceof Error ? e.message : String(e) });
        }
        if (found !== undefined) {
          report.sent++;
          onAttempt?.({ platform, outcome: 'sent', reason: 'ok' });
          log.info('an alert sent before a restart was found on the platform; not posting it again', { id: record.id, target });
          await store.updateDelivery(record.id, target, { status: 'sent', attempts: delivery.attempts + 1, lastAttemptAt: delivery.lastAttemptAt ?? now, messageRef: found });
          continue;
        }
      }
      await store.updateDelivery(record.id, target, { ...delivery, inFlight: true, lastAttemptAt: now });
      let result;
      try {
        result = await notifier.send(channelId, { record, reply, threadRef });
      } catch (e) {
        result = { ok: false as const, retryable: true, unconfirmed: true, error: e instanceof Error ? e.message : String(e) };
      }
      const attempts = delivery.attempts + 1;
      if (result.ok) {
        report.sent++;
        onAttempt?.({ platform, outcome: 'sent', reason: 'ok' });
        await store.updateDelivery(record.id, target, { status: 'sent', attempts, lastAttemptAt: now, messageRef: result.messageRef });
      } else {
        const giveUp = !result.retryable;
        if (giveUp) report.gaveUp++;
        else report.failed++;
        onAttempt?.({ platform, outcome: giveUp ? 'gave_up' : 'failed', reason: result.retryable ? 'retryable' : 'permanent' });
        log.warn(giveUp ? 'alert delivery given up: the platform refused it for good' : 'alert delivery failed; tried again next tick', { id: record.id, target, attempts, retryable: result.retryable, error: result.error });
        // No answer (a reset, a timeout) or a 5xx: the platform may have posted it. It stays in flight, so the next
        // attempt first looks for it (findSent) instead of posting it a second time.
        const maybePosted = !giveUp && result.unconfirmed === true;
        await store.updateDelivery(record.id, target, { status: giveUp ? 'failed' : 'pending', attempts, lastAttemptAt: now, error: result.error, ...(maybePosted ? { inFlight: true } : {}) });
      }
    }
  }
  return report;
}

async function firingRef(store: Store, record: NotificationRecord, target: string): Promise<string | undefined> {
  const firing = await store.getNotification(`${record.basket}:${record.episode}:firing`);
  return firing?.deliveries[target]?.messageRef;
}
