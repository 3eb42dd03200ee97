import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Reply } from '../domain/reply.js';
import type { Delivery, DeliveryClaim, NotificationRecord, Store } from '../store/types.js';
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

/**
 * How an outbox round claims deliveries on a store several processes deliver from (Store.claimDelivery): `owner`
 * names the process (a replica's id; the round adds its own suffix), `leaseMs` is how long a claim outlives a process
 * that dies before recording the outcome: longer than a send may take.
 */
export interface ClaimOptions {
  owner?: string;
  leaseMs?: number;
}

/** The default lease of a delivery claim: far beyond a send's timeouts and retries. */
export const DEFAULT_CLAIM_LEASE_MS = 300_000;

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
 *
 * On a store several processes deliver from (one with Store.claimDelivery: PostgreSQL, issue 13) each delivery this
 * round would write (send, find, give up) is claimed first and released once its outcome is recorded: a delivery
 * another replica holds is left to it, so a notification is sent by one replica; one whose replica died is taken once
 * its claim lapses (`claim.leaseMs`), and its in-flight mark has it looked up on the platform before it is posted.
 */
export async function deliverPending(
  store: Store,
  notifiers: Notifier[],
  render: (record: NotificationRecord) => Promise<Reply>,
  log: Logger,
  now: number,
  onAttempt?: (attempt: DeliveryAttempt) => void,
  policy: GiveUpPolicy = DEFAULT_GIVE_UP,
  claim: ClaimOptions = {},
): Promise<FanoutReport> {
  const round: Round = { store, byPlatform: new Map(notifiers.map((n) => [n.platform, n])), render, log, now, onAttempt, policy, report: { sent: 0, failed: 0, waiting: 0, gaveUp: 0, deferred: 0 } };
  const { report } = round;
  // One owner for the whole round: its claims are its own, never those of another round of the same process.
  const claimAs = store.claimDelivery ? { owner: `${claim.owner ?? `pid${process.pid}`}#${randomUUID()}`, leaseMs: claim.leaseMs ?? DEFAULT_CLAIM_LEASE_MS } : undefined;
  for (const record of await store.pendingNotifications()) {
    const rendered: { reply?: Reply } = {};
    for (const [target, listed] of Object.entries(record.deliveries)) {
      if (listed.status !== 'pending') continue;
      if (!claimAs) {
        await deliverOne(round, record, target, listed, rendered);
        continue;
      }
      // Nothing is written for a delivery waiting out its backoff or for a platform this process does not run: no claim.
      const expired = now - record.createdAt > policy.maxAgeMs;
      if (!expired && waitingOut(listed, now, policy)) {
        report.deferred++;
        continue;
      }
      if (!expired && !round.byPlatform.has(parseTargetKey(target).platform)) {
        report.waiting++;
        continue;
      }
      // As stored now: another replica may have tried it since the list was read.
      const held = await store.claimDelivery!(record.id, target, claimAs);
      if (!held) {
        log.debug('alert delivery held by another outbox round; left to it', { id: record.id, target });
        continue;
      }
      const renewal = renewWhileSending(store, record.id, target, claimAs, log);
      try {
        await deliverOne(round, record, target, held, rendered);
      } finally {
        renewal.stop();
        await store.releaseDelivery?.(record.id, target, claimAs.owner).catch((e: unknown) => log.warn('could not release a delivery claim; it lapses by itself', { id: record.id, target, error: e }));
      }
    }
  }
  return report;
}

/**
 * Renew a delivery's claim every third of its lease while its send runs (a send held up by a platform's 429 can take
 * longer than the lease): the lease then only has to outlast a dead or stuck process, never a slow send. A renewal
 * that finds the claim taken by another round is logged; the send goes on (that round's in-flight check looks the
 * message up on the platform before posting it again).
 */
function renewWhileSending(store: Store, id: string, target: string, claim: DeliveryClaim, log: Logger): { stop(): void } {
  if (!store.renewDelivery) return { stop: () => undefined };
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(() =>
      store.renewDelivery!(id, target, claim).then(
        (held) => {
          if (!held) log.warn('a delivery claim lapsed while its send ran; another outbox round may hold it', { id, target });
        },
        (e: unknown) => log.warn('could not renew a delivery claim', { id, target, error: e }),
      ),
    );
  }, Math.max(1, Math.floor(claim.leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** What one outbox round works with. */
interface Round {
  store: Store;
  byPlatform: Map<string, Notifier>;
  render: (record: NotificationRecord) => Promise<Reply>;
  log: Logger;
  now: number;
  onAttempt?: (attempt: DeliveryAttempt) => void;
  policy: GiveUpPolicy;
  report: FanoutReport;
}

/** Whether a delivery that failed before is still waiting out its backoff. */
function waitingOut(delivery: Delivery, now: number, policy: GiveUpPolicy): boolean {
  return delivery.lastAttemptAt !== undefined && now < delivery.lastAttemptAt + retryDelayMs(delivery.attempts, policy);
}

/** One pending delivery of a record: given up, deferred, found on the platform, or sent (the record's Reply rendered once). */
async function deliverOne(round: Round, record: NotificationRecord, target: string, delivery: Delivery, rendered: { reply?: Reply }): Promise<void> {
  const { store, log, now, onAttempt, policy, report } = round;
  const { platform, channelId } = parseTargetKey(target);
  const age = now - record.createdAt;
  if (age > policy.maxAgeMs) {
    report.gaveUp++;
    onAttempt?.({ platform, outcome: 'gave_up', reason: 'expired' });
    const error = `given up: not delivered within ${Math.round(policy.maxAgeMs / 60_000)} min of the alert${delivery.error ? ` (last error: ${delivery.error})` : ''}`;
    log.warn('alert delivery given up: too old to post', { id: record.id, target, attempts: delivery.attempts, ageMinutes: Math.round(age / 60_000) });
    const { inFlight: _unconfirmed, ...rest } = delivery;
    await store.updateDelivery(record.id, target, { ...rest, status: 'failed', error });
    return;
  }
  // Backoff: a delivery that failed is tried again only once its wait is over (the outbox runs every tick and,
  // under `start`, every 30 s in between).
  if (waitingOut(delivery, now, policy)) {
    report.deferred++;
    return;
  }
  const notifier = round.byPlatform.get(platform);
  if (!notifier) {
    report.waiting++;
    return;
  }
  let reply: Reply;
  try {
    reply = rendered.reply ??= await round.render(record);
  } catch (e) {
    log.error('could not render alert', { id: record.id, error: e });
    reply = rendered.reply = { title: `${record.basket}: ${record.kind}`, text: 'The chart could not be rendered.', severity: 'warning' };
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
      return;
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

async function firingRef(store: Store, record: NotificationRecord, target: string): Promise<string | undefined> {
  const firing = await store.getNotification(`${record.basket}:${record.episode}:firing`);
  return firing?.deliveries[target]?.messageRef;
}
