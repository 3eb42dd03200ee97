import type { Platform } from '../domain/invocation.js';
import {
  STORE_SCHEMA_VERSION,
  type AuditEntry,
  type Basket,
  type BasketRuntime,
  type Delivery,
  type NotificationRecord,
  type StoreData,
  type Subscription,
} from './types.js';

// Pure operations on a StoreData document, shared by every Store implementation. None of them modifies its
// input: a change returns a new document that shares the untouched parts, and an operation that changes nothing
// returns the same document object (the caller then skips the write). Values returned by reads are the
// document's own objects; the store copies them before handing them out.

/** A new document, and what the operation returns to its caller. */
export interface Change<T> {
  data: StoreData;
  result: T;
}

/** An empty document of the current schema version, not yet seeded. */
export function createDocument(now: number): StoreData {
  return { schemaVersion: STORE_SCHEMA_VERSION, createdAt: now, baskets: [], subscriptions: [], runtime: {}, notifications: [], audit: [], seeded: false };
}

/** Add the seed baskets whose names are not taken, once in the document's life (`seeded` then stays true). */
export function seedOnce(data: StoreData, seed: Basket[]): StoreData {
  if (data.seeded) return data;
  let next = data;
  for (const basket of seed) if (!findBasket(next, basket.name)) next = putBasket(next, basket);
  return { ...next, seeded: true };
}

export function findBasket(data: StoreData, name: string): Basket | undefined {
  return data.baskets.find((b) => b.name === name);
}

/** Insert, or replace the basket of the same name in place. */
export function putBasket(data: StoreData, basket: Basket): StoreData {
  const i = data.baskets.findIndex((b) => b.name === basket.name);
  return { ...data, baskets: i < 0 ? [...data.baskets, basket] : data.baskets.with(i, basket) };
}

/** Remove the basket with its subscriptions and runtime; notifications and audit entries stay. */
export function deleteBasket(data: StoreData, name: string): Change<boolean> {
  if (!findBasket(data, name)) return { data, result: false };
  return {
    data: {
      ...data,
      baskets: data.baskets.filter((b) => b.name !== name),
      subscriptions: data.subscriptions.filter((s) => s.basket !== name),
      runtime: Object.fromEntries(Object.entries(data.runtime).filter(([key]) => key !== name)),
    },
    result: true,
  };
}

export function listSubscriptions(data: StoreData, basket?: string): Subscription[] {
  return basket === undefined ? data.subscriptions : data.subscriptions.filter((s) => s.basket === basket);
}

function sameSubscription(s: Subscription, basket: string, platform: Platform, channelId: string): boolean {
  return s.basket === basket && s.platform === platform && s.channelId === channelId;
}

/** Append, unless the same (basket, platform, channel) is already subscribed (result false). */
export function addSubscription(data: StoreData, sub: Subscription): Change<boolean> {
  if (data.subscriptions.some((s) => sameSubscription(s, sub.basket, sub.platform, sub.channelId))) return { data, result: false };
  return { data: { ...data, subscriptions: [...data.subscriptions, sub] }, result: true };
}

export function removeSubscription(data: StoreData, basket: string, platform: Platform, channelId: string): Change<boolean> {
  const kept = data.subscriptions.filter((s) => !sameSubscription(s, basket, platform, channelId));
  if (kept.length === data.subscriptions.length) return { data, result: false };
  return { data: { ...data, subscriptions: kept }, result: true };
}

export function findRuntime(data: StoreData, basket: string): BasketRuntime | undefined {
  // hasOwn: `runtime.toString` must not find Object.prototype's.
  return Object.hasOwn(data.runtime, basket) ? data.runtime[basket] : undefined;
}

/** Insert or replace the basket's runtime, keeping only the newest `maxHistory` points (history is oldest first). */
export function putRuntime(data: StoreData, runtime: BasketRuntime, maxHistory: number): StoreData {
  const history = keepNewest(runtime.history, maxHistory);
  const entry = history === runtime.history ? runtime : { ...runtime, history };
  return { ...data, runtime: { ...data.runtime, [runtime.basket]: entry } };
}

/** True when some delivery of the record is not `sent` (pending, or failed). */
export function hasUndelivered(record: NotificationRecord): boolean {
  return Object.values(record.deliveries).some((d) => d.status !== 'sent');
}

export function findNotification(data: StoreData, id: string): NotificationRecord | undefined {
  return data.notifications.find((n) => n.id === id);
}

/**
 * Append the record unless its id exists (result false; the existing record is kept as it is). Then keep the
 * newest `maxNotifications` records plus every older one still being delivered (boundNotifications).
 */
export function addNotification(data: StoreData, record: NotificationRecord, maxNotifications: number): Change<boolean> {
  if (findNotification(data, record.id)) return { data, result: false };
  return { data: { ...data, notifications: boundNotifications([...data.notifications, record], maxNotifications) }, result: true };
}

/**
 * The newest `max` records (the list is oldest first) plus every older one still being delivered (a delivery
 * `pending`). One given up (`failed`) is dropped with the old ones: the outbox gives up within a bounded age, so
 * this keeps the list bounded.
 */
export function boundNotifications(all: NotificationRecord[], max: number): NotificationRecord[] {
  const cutoff = all.length - max;
  return cutoff > 0 ? all.filter((n, i) => i >= cutoff || stillDelivering(n)) : all;
}

/** True when some delivery of the record is still `pending` (the outbox will try it). */
export function stillDelivering(record: NotificationRecord): boolean {
  return Object.values(record.deliveries).some((d) => d.status === 'pending');
}

/** Records with an undelivered delivery, oldest first. */
export function pendingNotifications(data: StoreData): NotificationRecord[] {
  return data.notifications.filter(hasUndelivered);
}

/** Newest (most recently added) first, optionally only one basket's, at most `limit`. */
export function listNotifications(data: StoreData, basket?: string, limit?: number): NotificationRecord[] {
  const mine = basket === undefined ? data.notifications : data.notifications.filter((n) => n.basket === basket);
  return newestFirst(mine, limit);
}

function replaceNotification(data: StoreData, id: string, update: (n: NotificationRecord) => NotificationRecord): StoreData {
  const i = data.notifications.findIndex((n) => n.id === id);
  if (i < 0) return data;
  return { ...data, notifications: data.notifications.with(i, update(data.notifications[i])) };
}

/** Set the delivery of `id` to `target` (adding the target if new); an unknown id changes nothing. */
export function updateDelivery(data: StoreData, id: string, target: string, delivery: Delivery): StoreData {
  return replaceNotification(data, id, (n) => ({ ...n, deliveries: { ...n.deliveries, [target]: delivery } }));
}

/**
 * Record the acknowledgement and return the record; the first acknowledgement is kept (a later one changes
 * nothing and returns the record as it is). Undefined when there is no such record.
 */
export function acknowledge(data: StoreData, id: string, ack: NonNullable<NotificationRecord['acknowledged']>): Change<NotificationRecord | undefined> {
  const existing = findNotification(data, id);
  if (!existing || existing.acknowledged) return { data, result: existing };
  const next = replaceNotification(data, id, (n) => ({ ...n, acknowledged: ack }));
  return { data: next, result: findNotification(next, id) };
}

/** Append, keeping only the newest `maxAudit` entries. */
export function appendAudit(data: StoreData, entry: AuditEntry, maxAudit: number): StoreData {
  return { ...data, audit: keepNewest([...data.audit, entry], maxAudit) };
}

/** Newest first, optionally only one basket's, at most `limit`. */
export function listAudit(data: StoreData, opts: { basket?: string; limit?: number } = {}): AuditEntry[] {
  const mine = opts.basket === undefined ? data.audit : data.audit.filter((a) => a.basket === opts.basket);
  return newestFirst(mine, opts.limit);
}

/** The last `max` items of an oldest-first list (the same array when nothing is dropped). */
export function keepNewest<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}

function newestFirst<T>(items: T[], limit?: number): T[] {
  const reversed = items.toReversed();
  return limit === undefined ? reversed : reversed.slice(0, Math.max(0, Math.floor(limit)));
}
