import type { Platform } from '../domain/invocation.js';
import { StoreError } from './errors.js';
import * as ops from './operations.js';
import { resolveLimits, type StoreLimits, type StoreOptions } from './options.js';
import { SerialQueue } from '../domain/serial-queue.js';
import { acknowledgedSchema, auditSchema, basketSchema, deliverySchema, notificationSchema, runtimeSchema, subscriptionSchema } from './schema.js';
import { toStored } from './stored.js';
import { storeDataSchema } from './schema.js';
import { boundedContents, canonicalContents, countsOf, ImportRefused, isEmpty, type StoreContents, type StoreCounts, type StoreTransfer } from './transfer.js';
import { STORE_SCHEMA_VERSION, type AuditEntry, type Basket, type BasketChange, type BasketRuntime, type Delivery, type NotificationRecord, type RuntimeMerge, type Store, type StoreData, type Subscription, type TickCommit } from './types.js';

/**
 * The Store behaviour shared by every implementation: one StoreData document changed through the pure
 * operations, with writes serialised through a queue (and, where other processes can write, under their lock, on a
 * document re-read when they changed it). A subclass says how the document is loaded, persisted and re-checked. The document in memory is replaced only after `persist` succeeds, so a failed write leaves both the
 * file and what reads return as they were. Values come out as copies; arguments are copied and checked when a
 * method is called (so changing them afterwards has no effect), and one JSON cannot hold faithfully is rejected
 * with a StoreError `invalid` before anything is queued.
 */
export abstract class DocumentStore implements Store, StoreTransfer {
  abstract readonly location: string;
  protected readonly limits: StoreLimits;
  #data: StoreData | undefined;
  readonly #queue = new SerialQueue();

  constructor(opts: StoreOptions = {}) {
    this.limits = resolveLimits(opts);
  }

  /**
   * Called once before `load`, outside the lock (what the lock itself needs: the data directory). Throws when this
   * store cannot be opened; `release` is then called.
   */
  protected async prepare(): Promise<void> {}
  /**
   * The persisted document, or undefined when there is none yet. Throws a StoreError when it is refused. Runs under
   * `exclusive`, as does the first save that seeds it: no other process writes while a store opens.
   */
  protected abstract load(): Promise<StoreData | undefined>;
  /** Save the whole document; must leave the previous one intact if it throws. */
  protected abstract persist(data: StoreData): Promise<void>;
  /** Called when the store closes (after every queued write), or when `open` fails after `load` succeeded. */
  protected async release(): Promise<void> {}
  /**
   * The document as another process left it, when it changed since this one last loaded or saved it; undefined
   * when it did not (or cannot change behind our back, as in memory). Throws a StoreError when it is refused.
   */
  protected async reloadIfChanged(): Promise<StoreData | undefined> {
    return undefined;
  }
  /** Save a document that replaces the stored one whole (an import); by default as any other save. */
  protected async persistWhole(data: StoreData): Promise<void> {
    await this.persist(data);
  }
  /** Run `fn` holding the store's lock against other processes (no lock by default: nothing else can write). */
  protected async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  /** Open (a second call does nothing): load the document or create it, and seed it once in its life. */
  async open(seed: Basket[]): Promise<void> {
    const copies = seed.map((b, i) => toStored(basketSchema, b, `seed[${i}]`));
    return this.#queue.run(async () => {
      if (this.#data) return;
      try {
        await this.prepare();
        this.#data = await this.exclusive(async () => {
          const loaded = await this.load();
          const data = ops.seedOnce(loaded ?? ops.createDocument(Date.now()), copies);
          if (data !== loaded) await this.persist(data);
          return data;
        });
      } catch (e) {
        await this.release();
        throw e;
      }
    });
  }

  /** Close once every queued write is done; the store can be opened again. */
  async close(): Promise<void> {
    return this.#queue.run(async () => {
      if (!this.#data) return;
      this.#data = undefined;
      await this.release();
    });
  }

  async listBaskets(): Promise<Basket[]> {
    return copy((await this.#fresh()).baskets);
  }

  async getBasket(name: string): Promise<Basket | undefined> {
    return copy(ops.findBasket(await this.#fresh(), name));
  }

  async putBasket(basket: Basket): Promise<void> {
    const b = toStored(basketSchema, basket, 'basket');
    return this.#change((d) => ops.putBasket(d, b));
  }

  async changeBasket(name: string, change: BasketChange): Promise<Basket> {
    return this.#mutate((d) => {
      const next = toStored(basketSchema, change(copy(ops.findBasket(d, name))), 'basket');
      if (next.name !== name) throw new StoreError('invalid', `a change of basket ${name} returned basket ${next.name}`);
      return { data: ops.putBasket(d, next), result: copy(next) };
    });
  }

  async deleteBasket(name: string): Promise<boolean> {
    return this.#mutate((d) => ops.deleteBasket(d, name));
  }

  async listSubscriptions(basket?: string): Promise<Subscription[]> {
    return copy(ops.listSubscriptions(await this.#fresh(), basket));
  }

  async addSubscription(sub: Subscription): Promise<boolean> {
    const s = toStored(subscriptionSchema, sub, 'subscription');
    return this.#mutate((d) => ops.addSubscription(d, s));
  }

  async removeSubscription(basket: string, platform: Platform, channelId: string): Promise<boolean> {
    return this.#mutate((d) => ops.removeSubscription(d, basket, platform, channelId));
  }

  async getRuntime(basket: string): Promise<BasketRuntime | undefined> {
    return copy(ops.findRuntime(await this.#fresh(), basket));
  }

  async putRuntime(runtime: BasketRuntime): Promise<void> {
    const r = toStored(runtimeSchema, runtime, 'runtime');
    return this.#change((d) => ops.putRuntime(d, r, this.limits.maxHistory));
  }

  async putRuntimes(runtimes: BasketRuntime[], merge?: RuntimeMerge): Promise<void> {
    const rs = runtimes.map((r, i) => toStored(runtimeSchema, r, `runtimes[${i}]`));
    return this.#change((d) => this.#withRuntimes(d, rs, merge));
  }

  /** The document with these runtimes put; `merge` runs on the data as it is in the file at the moment of the write (under its lock). */
  #withRuntimes(d: StoreData, runtimes: BasketRuntime[], merge: RuntimeMerge | undefined): StoreData {
    const merged = (doc: StoreData, r: BasketRuntime, i: number) => (merge ? toStored(runtimeSchema, merge(copy(ops.findRuntime(doc, r.basket)), r), `runtimes[${i}]`) : r);
    return runtimes.reduce((doc, r, i) => ops.putRuntime(doc, merged(doc, r, i), this.limits.maxHistory), d);
  }

  async commitTick(tick: TickCommit): Promise<void> {
    const ns = tick.notifications.map((n, i) => toStored(notificationSchema, n, `notifications[${i}]`));
    const rs = tick.runtimes.map((r, i) => toStored(runtimeSchema, r, `runtimes[${i}]`));
    // One document change: the records and the runtimes are persisted by one `persist` (lowdb: the outbox file first).
    return this.#change((d) => this.#withRuntimes(ns.reduce((doc, n) => ops.addNotification(doc, n, this.limits.maxNotifications).data, d), rs, tick.merge));
  }

  async addNotification(record: NotificationRecord): Promise<boolean> {
    const n = toStored(notificationSchema, record, 'notification');
    return this.#mutate((d) => ops.addNotification(d, n, this.limits.maxNotifications));
  }

  async getNotification(id: string): Promise<NotificationRecord | undefined> {
    return copy(ops.findNotification(await this.#fresh(), id));
  }

  async pendingNotifications(): Promise<NotificationRecord[]> {
    return copy(ops.pendingNotifications(await this.#fresh()));
  }

  async listNotifications(basket?: string, limit?: number): Promise<NotificationRecord[]> {
    return copy(ops.listNotifications(await this.#fresh(), basket, limit));
  }

  /** An unknown id changes nothing (the interface returns void; see `getNotification` to check first). */
  async updateDelivery(id: string, target: string, delivery: Delivery): Promise<void> {
    const dv = toStored(deliverySchema, delivery, 'delivery');
    return this.#change((d) => ops.updateDelivery(d, id, target, dv));
  }

  async acknowledge(id: string, ack: NonNullable<NotificationRecord['acknowledged']>): Promise<NotificationRecord | undefined> {
    const a = toStored(acknowledgedSchema, ack, 'acknowledgement');
    return copy(await this.#mutate((d) => ops.acknowledge(d, id, a)));
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const e = toStored(auditSchema, entry, 'audit entry');
    return this.#change((d) => ops.appendAudit(d, e, this.limits.maxAudit));
  }

  async listAudit(opts?: { basket?: string; limit?: number }): Promise<AuditEntry[]> {
    return copy(ops.listAudit(await this.#fresh(), opts));
  }

  /** Everything the store holds (`corrwatch store export`), as the files hold it now. */
  async exportContents(): Promise<StoreContents> {
    const d = await this.#fresh();
    return copy(canonicalContents({ createdAt: d.createdAt, seeded: d.seeded, baskets: d.baskets, subscriptions: d.subscriptions, runtime: d.runtime, notifications: d.notifications, audit: d.audit }));
  }

  /**
   * Replace the store's contents with `contents` (`corrwatch store import`), bounded by this store's limits, in one
   * write under the lock; refused (ImportRefused, nothing written) when the store holds anything, unless `replace`.
   */
  async importContents(contents: StoreContents, opts: { replace: boolean }): Promise<StoreCounts> {
    const doc = toStored<StoreData>(storeDataSchema, { schemaVersion: STORE_SCHEMA_VERSION, ...boundedContents(contents, this.limits) }, 'the imported store');
    return this.#queue.run(() =>
      this.exclusive(async () => {
        this.#read();
        const changed = await this.reloadIfChanged();
        if (changed) this.#data = changed;
        const held = countsOf(this.#read());
        if (!isEmpty(held) && !opts.replace) throw new ImportRefused(this.location, held);
        await this.persistWhole(doc);
        this.#data = doc;
        return countsOf(doc);
      }),
    );
  }

  #read(): StoreData {
    if (!this.#data) throw new Error(`the store at ${this.location} is not open: call open() first`);
    return this.#data;
  }

  #change(op: (d: StoreData) => StoreData): Promise<void> {
    return this.#mutate((d) => ({ data: op(d), result: undefined }));
  }

  /** The document, first re-read if another process changed it (after the writes queued before this read). */
  #fresh(): Promise<StoreData> {
    return this.#queue.run(async () => {
      this.#read();
      const changed = await this.reloadIfChanged();
      if (changed) this.#data = changed;
      return this.#read();
    });
  }

  /**
   * One change, under the lock against other processes: re-read the document if another process changed it, apply
   * the operation to that, save. So a basket created by the CLI while `start` runs survives the watcher's next write.
   */
  #mutate<T>(op: (d: StoreData) => ops.Change<T>): Promise<T> {
    return this.#queue.run(() =>
      this.exclusive(async () => {
        this.#read();
        const changed = await this.reloadIfChanged();
        if (changed) this.#data = changed;
        const current = this.#read();
        const { data, result } = op(current);
        if (data !== current) {
          await this.persist(data);
          this.#data = data;
        }
        return result;
      }),
    );
  }
}

function copy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
