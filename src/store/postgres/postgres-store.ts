import pg from 'pg';
import type { Platform } from '../../domain/invocation.js';
import { StoreError } from '../errors.js';
import { keepNewest } from '../operations.js';
import { resolveLimits, type StoreLimits, type StoreOptions } from '../options.js';
import { acknowledgedSchema, auditSchema, basketSchema, deliverySchema, notificationSchema, runtimeSchema, subscriptionSchema } from '../schema.js';
import { toStored } from '../stored.js';
import type { AuditEntry, Basket, BasketChange, BasketRuntime, Delivery, DeliveryClaim, NotificationRecord, RegimePoint, RuntimeMerge, Store, Subscription, TickCommit } from '../types.js';
import { CallOrder } from './call-order.js';
import { connectionString, redactedUrl, type PostgresTarget } from './connection.js';
import { appliedVersions, migrate, newerSchemaError, schemaState, type MigrationResult } from './migrate.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** Apply the pending migrations at `open` (corrwatch start does); otherwise `open` refuses a database not up to date. */
  migrate?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** A row of a notification with its deliveries, as the record queries return it. */
interface NotificationRow {
  doc: NotificationRecord;
  acknowledged: NotificationRecord['acknowledged'] | null;
  deliveries: [string, Delivery][] | null;
}

/** Where a history continues: how many points the store holds for the basket and the newest one's time. */
interface StoredHistory {
  count: number;
  lastAt: number | null;
}

/** SQL of a notification record with its deliveries (in the order their targets were added) as [target, delivery] pairs. */
const RECORD_COLUMNS = `n.doc, n.acknowledged,
  (SELECT json_agg(json_build_array(d.target, d.doc) ORDER BY d.position) FROM deliveries d WHERE d.notification_id = n.id) AS deliveries`;

/** A delivery still to be tried: what keeps an old notification from being dropped by the bound. */
const STILL_DELIVERING = `EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.status = 'pending')`;

/** SQLSTATEs worth running a transaction again for: a deadlock, a serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * The store in PostgreSQL (issue 13), for several corrwatch processes sharing one database: the same behaviour as
 * LowdbStore, method for method (bounds, never dropping a notification still being delivered, the first record of an
 * id kept, the first acknowledgement kept, lists in the order things were added), with a transaction or a unique
 * constraint wherever the lowdb store relies on being the only writer under its lock file. Tables: see
 * migrations/001_initial.ts. Values go in as the JSON lowdb would write (checked by the same schemas, rejected as
 * StoreError `invalid` before anything is sent) and come out as fresh copies. Calls of one process take effect in the
 * order they were made (CallOrder); a failure of the database is a StoreError `io` naming the database by its URL
 * without the password.
 */
export class PostgresStore implements Store {
  readonly location: string;
  readonly #target: PostgresTarget;
  readonly #limits: StoreLimits;
  readonly #migrateAtOpen: boolean;
  readonly #poolSize: number;
  readonly #order = new CallOrder();
  #pool: pg.Pool | undefined;
  /** firstSeen calls so far (every hundredth also deletes the expired keys). */
  #seenCount = 0;
  /** Told of a problem that does not stop the store (an idle connection the server closed). */
  onWarning?: (message: string) => void;
  /** What the last migration run (`migrate`, or `open` with `migrate: true`) applied. */
  lastMigration?: MigrationResult;

  constructor(target: PostgresTarget, opts: PostgresStoreOptions = {}) {
    this.#target = target;
    this.location = redactedUrl(target.url);
    this.#limits = resolveLimits(opts);
    this.#migrateAtOpen = opts.migrate ?? false;
    this.#poolSize = opts.poolSize ?? 10;
  }

  #newPool(): pg.Pool {
    const pool = new pg.Pool({
      connectionString: connectionString(this.#target),
      max: this.#poolSize,
      application_name: 'corrwatch',
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 60_000,
    });
    // An idle connection the server ends (a restart, a failover) is reported here; without a listener it would crash
    // the process. The pool replaces it on the next call.
    pool.on('error', (e) => this.onWarning?.(`PostgreSQL store ${this.location}: an idle connection failed: ${e.message}`));
    return pool;
  }

  /**
   * Apply the migrations the database lacks (see migrate.ts: in order, each in a transaction, under an advisory lock)
   * and say what was applied. Works whether or not the store is open.
   */
  async migrate(): Promise<MigrationResult> {
    return this.#order.write(async () => {
      const pool = this.#pool ?? this.#newPool();
      try {
        this.lastMigration = await this.#guard('write', () => migrate(pool, this.location));
        return this.lastMigration;
      } finally {
        if (pool !== this.#pool) await pool.end().catch(() => undefined);
      }
    });
  }

  /**
   * Connect, check the schema (applying pending migrations first with `migrate: true`), and seed the baskets once in
   * the store's life. A second call does nothing. Refuses (StoreError `unknown_version`) a database without the
   * corrwatch tables, or one a newer corrwatch migrated.
   */
  async open(seed: Basket[]): Promise<void> {
    const copies = seed.map((b, i) => toStored(basketSchema, b, `seed[${i}]`));
    copies.forEach((b, i) => pgText(b.name, `seed[${i}].name`));
    return this.#order.write(async () => {
      if (this.#pool) return;
      const pool = this.#newPool();
      try {
        await this.#guard('write', async () => {
          if (this.#migrateAtOpen) this.lastMigration = await migrate(pool, this.location);
          const state = schemaState(await appliedVersions(pool));
          if (state.unknown.length > 0) throw newerSchemaError(this.location, state.unknown);
          if (state.pending.length > 0) {
            throw new StoreError(
              'unknown_version',
              `the database at ${this.location} ${state.applied.length === 0 ? 'has no corrwatch tables yet' : `lacks schema migration${state.pending.length > 1 ? 's' : ''} ${state.pending.map((m) => m.version).join(', ')}`}: run \`corrwatch db migrate\` (corrwatch start migrates at boot)`,
            );
          }
          await transaction(pool, async (c) => {
            await c.query('INSERT INTO store_meta (created_at) VALUES ($1) ON CONFLICT DO NOTHING', [Date.now()]);
            const meta = await c.query<{ seeded: boolean }>('SELECT seeded FROM store_meta FOR UPDATE');
            if (meta.rows[0].seeded) return;
            for (const b of copies) await c.query('INSERT INTO baskets (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [b.name, json(b)]);
            await c.query('UPDATE store_meta SET seeded = true');
          });
          // The bounds as configured now (they may be lower than when the rows were written), as lowdb applies them at load.
          await transaction(pool, (c) => boundNotifications(c, this.#limits.maxNotifications));
          await trimAudit(pool, this.#limits.maxAudit);
        });
      } catch (e) {
        await pool.end().catch(() => undefined);
        throw e;
      }
      this.#pool = pool;
    });
  }

  /** Close once every call made before has finished; the store can be opened again. */
  async close(): Promise<void> {
    return this.#order.write(async () => {
      const pool = this.#pool;
      if (!pool) return;
      this.#pool = undefined;
      await pool.end();
    });
  }

  async listBaskets(): Promise<Basket[]> {
    return this.#read(async (db) => (await db.query<{ doc: Basket }>('SELECT doc FROM baskets ORDER BY position')).rows.map((r) => r.doc));
  }

  async getBasket(name: string): Promise<Basket | undefined> {
    return this.#read(async (db) => (isPgText(name) ? (await db.query<{ doc: Basket }>('SELECT doc FROM baskets WHERE name = $1', [name])).rows[0]?.doc : undefined));
  }

  async putBasket(basket: Basket): Promise<void> {
    const b = toStored(basketSchema, basket, 'basket');
    pgText(b.name, 'basket.name');
    return this.#write(async (db) => {
      await db.query('INSERT INTO baskets (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc', [b.name, json(b)]);
    });
  }

  /**
   * In one transaction holding a transaction-level advisory lock on the basket's name (there may be no row to lock
   * yet: two admins creating one name) and its row, FOR UPDATE. An error thrown by `change` rolls back and comes out
   * as it was thrown, not as a failure of the database.
   */
  async changeBasket(name: string, change: BasketChange): Promise<Basket> {
    pgText(name, 'basket name');
    let refused: { error: unknown } | undefined;
    try {
      return await this.#write((pool) =>
        transaction(pool, async (c) => {
          await c.query(`SELECT pg_advisory_xact_lock(hashtext('corrwatch basket ' || $1))`, [name]);
          const current = (await c.query<{ doc: Basket }>('SELECT doc FROM baskets WHERE name = $1 FOR UPDATE', [name])).rows[0]?.doc;
          let next: Basket;
          try {
            next = toStored(basketSchema, change(current), 'basket');
            if (next.name !== name) throw new StoreError('invalid', `a change of basket ${name} returned basket ${next.name}`);
          } catch (e) {
            refused = { error: e };
            throw e;
          }
          await c.query('INSERT INTO baskets (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = EXCLUDED.doc', [next.name, json(next)]);
          return next;
        }),
      );
    } catch (e) {
      throw refused ? refused.error : e;
    }
  }

  async deleteBasket(name: string): Promise<boolean> {
    return this.#write(async (pool) => {
      if (!isPgText(name)) return false;
      return transaction(pool, async (c) => {
        const deleted = await c.query('DELETE FROM baskets WHERE name = $1', [name]);
        if (deleted.rowCount === 0) return false;
        await c.query('DELETE FROM subscriptions WHERE basket = $1', [name]);
        await c.query('DELETE FROM runtimes WHERE basket = $1', [name]);
        await c.query('DELETE FROM regime_history WHERE basket = $1', [name]);
        return true;
      });
    });
  }

  async listSubscriptions(basket?: string): Promise<Subscription[]> {
    return this.#read(async (db) => {
      if (basket !== undefined && !isPgText(basket)) return [];
      const r = await db.query<{ doc: Subscription }>('SELECT doc FROM subscriptions WHERE $1::text IS NULL OR basket = $1 ORDER BY position', [basket ?? null]);
      return r.rows.map((row) => row.doc);
    });
  }

  async addSubscription(sub: Subscription): Promise<boolean> {
    const s = toStored(subscriptionSchema, sub, 'subscription');
    pgText(s.basket, 'subscription.basket');
    pgText(s.channelId, 'subscription.channelId');
    return this.#write(async (db) => {
      const r = await db.query(
        'INSERT INTO subscriptions (basket, platform, channel_id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT (basket, platform, channel_id) DO NOTHING',
        [s.basket, s.platform, s.channelId, json(s)],
      );
      return r.rowCount === 1;
    });
  }

  async removeSubscription(basket: string, platform: Platform, channelId: string): Promise<boolean> {
    return this.#write(async (db) => {
      if (![basket, platform, channelId].every(isPgText)) return false;
      const r = await db.query('DELETE FROM subscriptions WHERE basket = $1 AND platform = $2 AND channel_id = $3', [basket, platform, channelId]);
      return (r.rowCount ?? 0) > 0;
    });
  }

  async getRuntime(basket: string): Promise<BasketRuntime | undefined> {
    return this.#read(async (db) => {
      if (!isPgText(basket)) return undefined;
      // The runtime and its newest maxHistory points, oldest first, in one statement (one snapshot).
      const r = await db.query<{ doc: BasketRuntime; history: RegimePoint[] | null }>(
        `SELECT r.doc,
           (SELECT json_agg(h.doc ORDER BY h.at) FROM (SELECT doc, at FROM regime_history WHERE basket = r.basket ORDER BY at DESC LIMIT $2) h) AS history
         FROM runtimes r WHERE r.basket = $1`,
        [basket, this.#limits.maxHistory],
      );
      const row = r.rows[0];
      if (!row) return undefined;
      row.doc.history = row.history ?? [];
      return row.doc;
    });
  }

  async putRuntime(runtime: BasketRuntime): Promise<void> {
    const r = toStored(runtimeSchema, runtime, 'runtime');
    pgText(r.basket, 'runtime.basket');
    return this.#write((pool) => transaction(pool, (c) => this.#putRuntimes(c, [r])));
  }

  async putRuntimes(runtimes: BasketRuntime[], merge?: RuntimeMerge): Promise<void> {
    const rs = runtimes.map((r, i) => toStored(runtimeSchema, r, `runtimes[${i}]`));
    rs.forEach((r, i) => pgText(r.basket, `runtimes[${i}].basket`));
    return this.#write((pool) => transaction(pool, (c) => this.#putRuntimes(c, rs, merge)));
  }

  /**
   * The records and the runtimes in one transaction: the runtimes' rows are locked first (in name order, as
   * putRuntimes locks them), then the records are inserted (ON CONFLICT DO NOTHING: a decision made again after a
   * crash finds its record), then the runtimes written; a failure anywhere rolls all of it back.
   */
  async commitTick(tick: TickCommit): Promise<void> {
    const ns = tick.notifications.map((n, i) => this.#checkedNotification(n, `notifications[${i}]`));
    const rs = tick.runtimes.map((r, i) => toStored(runtimeSchema, r, `runtimes[${i}]`));
    rs.forEach((r, i) => pgText(r.basket, `runtimes[${i}].basket`));
    return this.#write((pool) =>
      transaction(pool, async (c) => {
        await this.#putRuntimes(c, rs, tick.merge, async () => {
          for (const n of ns) await this.#insertNotification(c, n);
        });
      }),
    );
  }

  /**
   * Every runtime, inside the caller's transaction (`underLock` runs once the runtimes' rows are locked: commitTick
   * inserts its records there, so a record and the alert state that made it are written under the same row lock). A basket's history is written as the lowdb store writes history.jsonl
   * (side-records.ts, newHistoryPoints): when the new history continues the stored one (its points up to the stored
   * newest are as many as stored or fewer, matched by time), only the newer points are inserted and the points older
   * than its first are deleted; otherwise the basket's history is replaced. So a tick inserts one row per basket, not
   * the whole history. The stored history is then the newest maxHistory points of the runtime's, in time order.
   */
  async #putRuntimes(c: pg.PoolClient, runtimes: BasketRuntime[], merge?: RuntimeMerge, underLock?: () => Promise<void>): Promise<void> {
    if (runtimes.length === 0) {
      await underLock?.();
      return;
    }
    // The last runtime of a basket wins, as with puts one after the other.
    const byBasket = new Map<string, BasketRuntime>();
    for (const r of runtimes) byBasket.set(r.basket, r);
    // Locked in name order, so that two processes writing overlapping sets of baskets cannot deadlock.
    const names = [...byBasket.keys()].sort();
    const max = this.#limits.maxHistory;
    // A row for every basket first (an empty one for a new basket, never seen outside this transaction), then each
    // row locked: a replica writing the same baskets waits for this one and continues the history it leaves.
    await c.query(`INSERT INTO runtimes (basket, doc) SELECT b, '{}' FROM unnest($1::text[]) AS b ORDER BY b ON CONFLICT (basket) DO NOTHING`, [names]);
    const stored = new Map<string, StoredHistory>();
    const locked = await c.query<{ basket: string; history_count: number; history_last_at: number | null; doc: unknown }>(
      'SELECT basket, history_count, history_last_at, doc FROM runtimes WHERE basket = ANY($1::text[]) ORDER BY basket FOR UPDATE',
      [names],
    );
    for (const row of locked.rows) stored.set(row.basket, { count: Math.min(row.history_count, max), lastAt: row.history_last_at });
    await underLock?.();
    // `merge` sees the stored runtime (without its history) under the row lock: nothing written since is lost. A
    // merged runtime that comes back with the stored (empty) history leaves the stored history as it is.
    const historyKept = new Set<string>();
    if (merge) {
      for (const row of locked.rows) {
        const doc = (typeof row.doc === 'string' ? JSON.parse(row.doc) : row.doc) as Partial<BasketRuntime>;
        const prevHistory: RegimePoint[] = [];
        const prev = doc && typeof doc === 'object' && 'alertState' in doc ? ({ ...doc, basket: row.basket, history: prevHistory } as BasketRuntime) : undefined;
        const merged = merge(prev, byBasket.get(row.basket)!);
        if (prev && merged.history === prevHistory) historyKept.add(row.basket);
        byBasket.set(row.basket, toStored(runtimeSchema, merged, `runtime ${row.basket}`));
      }
    }
    const resets: string[] = [];
    const trims: { basket: string; before: number }[] = [];
    const inserts: { basket: string; point: RegimePoint }[] = [];
    const rows: { basket: string; doc: string; count: number; lastAt: number | null }[] = [];
    for (const name of names) {
      const rt = byBasket.get(name)!;
      if (historyKept.has(name)) {
        const prev = stored.get(name);
        rows.push({ basket: name, doc: json({ ...rt, history: [] }), count: prev?.count ?? 0, lastAt: prev?.lastAt ?? null });
        continue;
      }
      const points = keepNewest(increasing(rt.history), max);
      const prev = stored.get(name);
      const added = continuation(prev, points);
      if (added === undefined) {
        resets.push(name);
        for (const point of points) inserts.push({ basket: name, point });
      } else {
        trims.push({ basket: name, before: points[0].at });
        for (const point of added) inserts.push({ basket: name, point });
      }
      rows.push({ basket: name, doc: json({ ...rt, history: [] }), count: points.length, lastAt: points.length ? points[points.length - 1].at : null });
    }
    if (resets.length) await c.query('DELETE FROM regime_history WHERE basket = ANY($1::text[])', [resets]);
    if (trims.length) {
      await c.query(
        'DELETE FROM regime_history h USING unnest($1::text[], $2::float8[]) AS t(basket, before) WHERE h.basket = t.basket AND h.at < t.before',
        [trims.map((t) => t.basket), trims.map((t) => t.before)],
      );
    }
    if (inserts.length) {
      await c.query('INSERT INTO regime_history (basket, at, doc) SELECT * FROM unnest($1::text[], $2::float8[], $3::json[])', [
        inserts.map((i) => i.basket),
        inserts.map((i) => i.point.at),
        inserts.map((i) => json(i.point)),
      ]);
    }
    await c.query(
      `INSERT INTO runtimes (basket, doc, history_count, history_last_at)
       SELECT * FROM unnest($1::text[], $2::json[], $3::int[], $4::float8[])
       ON CONFLICT (basket) DO UPDATE SET doc = EXCLUDED.doc, history_count = EXCLUDED.history_count,
         history_last_at = EXCLUDED.history_last_at, updated_at = now()`,
      [rows.map((r) => r.basket), rows.map((r) => r.doc), rows.map((r) => r.count), rows.map((r) => r.lastAt)],
    );
  }

  async addNotification(record: NotificationRecord): Promise<boolean> {
    const n = this.#checkedNotification(record, 'notification');
    return this.#write((pool) => transaction(pool, (c) => this.#insertNotification(c, n)));
  }

  /** The record as stored (checked by the schema), with every text PostgreSQL must hold checked too. */
  #checkedNotification(record: NotificationRecord, what: string): NotificationRecord {
    const n = toStored(notificationSchema, record, what);
    pgText(n.id, `${what}.id`);
    pgText(n.basket, `${what}.basket`);
    for (const target of Object.keys(n.deliveries)) pgText(target, `${what}.deliveries[${JSON.stringify(target)}]`);
    return n;
  }

  /** Insert the record and its deliveries unless its id exists (false then), inside the caller's transaction. */
  async #insertNotification(c: pg.PoolClient, n: NotificationRecord): Promise<boolean> {
    // The unique id decides: of two processes adding the same decision, one inserts and the other gets false.
    const inserted = await c.query(
      `INSERT INTO notifications (id, basket, episode, kind, at, created_at, doc, acknowledged) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO NOTHING`,
      [n.id, n.basket, n.episode, n.kind, n.at, n.createdAt, json({ ...n, deliveries: {} }), n.acknowledged ? json(n.acknowledged) : null],
    );
    if (inserted.rowCount === 0) return false;
    const targets = Object.entries(n.deliveries);
    if (targets.length) {
      await c.query(
        `INSERT INTO deliveries (notification_id, target, status, attempts, last_attempt_at, in_flight, doc)
         SELECT $1, t, s, a, l, f, d FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::bool[], $7::json[]) WITH ORDINALITY AS x(t, s, a, l, f, d, o)
         ORDER BY o`,
        [n.id, ...deliveryColumns(targets)],
      );
    }
    await boundNotifications(c, this.#limits.maxNotifications);
    return true;
  }

  async getNotification(id: string): Promise<NotificationRecord | undefined> {
    return this.#read(async (db) => {
      if (!isPgText(id)) return undefined;
      const r = await db.query<NotificationRow>(`SELECT ${RECORD_COLUMNS} FROM notifications n WHERE n.id = $1`, [id]);
      return r.rows[0] && toRecord(r.rows[0]);
    });
  }

  async pendingNotifications(): Promise<NotificationRecord[]> {
    return this.#read(async (db) => {
      const r = await db.query<NotificationRow>(
        `SELECT ${RECORD_COLUMNS} FROM notifications n
         WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND d.status <> 'sent') ORDER BY n.position`,
      );
      return r.rows.map(toRecord);
    });
  }

  async listNotifications(basket?: string, limit?: number): Promise<NotificationRecord[]> {
    return this.#read(async (db) => {
      if (basket !== undefined && !isPgText(basket)) return [];
      const r = await db.query<NotificationRow>(
        `SELECT ${RECORD_COLUMNS} FROM notifications n WHERE $1::text IS NULL OR n.basket = $1 ORDER BY n.position DESC LIMIT $2`,
        [basket ?? null, sqlLimit(limit)],
      );
      return r.rows.map(toRecord);
    });
  }

  /** An unknown id changes nothing (the interface returns void; see `getNotification` to check first). */
  async updateDelivery(id: string, target: string, delivery: Delivery): Promise<void> {
    const dv = toStored(deliverySchema, delivery, 'delivery');
    pgText(target, 'delivery target');
    return this.#write(async (db) => {
      if (!isPgText(id)) return;
      // FOR SHARE on the record: the bound (boundNotifications) cannot drop it while its delivery changes.
      await db.query(
        `WITH n AS (SELECT id FROM notifications WHERE id = $1 FOR SHARE)
         INSERT INTO deliveries (notification_id, target, status, attempts, last_attempt_at, in_flight, doc)
         SELECT n.id, $2, $3, $4, $5, $6, $7 FROM n
         ON CONFLICT (notification_id, target) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
           last_attempt_at = EXCLUDED.last_attempt_at, in_flight = EXCLUDED.in_flight, doc = EXCLUDED.doc`,
        [id, target, dv.status, dv.attempts, dv.lastAttemptAt ?? null, dv.inFlight === true, json(dv)],
      );
    });
  }

  /**
   * Take a pending delivery for one outbox round (issue 13, replicas): the row is locked FOR UPDATE SKIP LOCKED (a
   * replica claiming it at the same moment skips it rather than waiting) and stamped with the owner and a lease on the
   * database's clock (replicas' clocks may differ). Returns the delivery as stored, or undefined when it is not
   * pending, another round's claim has not lapsed, or a concurrent claim holds the row. Migration 3 added the columns.
   */
  async claimDelivery(id: string, target: string, claim: DeliveryClaim): Promise<Delivery | undefined> {
    pgText(claim.owner, 'claim owner');
    if (!(claim.leaseMs > 0) || !Number.isFinite(claim.leaseMs)) throw new StoreError('invalid', `cannot claim a delivery for ${claim.leaseMs} ms: the lease must be a positive number of milliseconds`);
    return this.#write(async (db) => {
      if (!isPgText(id) || !isPgText(target)) return undefined;
      const r = await db.query<{ doc: Delivery }>(
        `WITH c AS (
           SELECT notification_id, target FROM deliveries
           WHERE notification_id = $1 AND target = $2 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())
           FOR UPDATE SKIP LOCKED
         )
         UPDATE deliveries d SET claimed_by = $3, claimed_until = clock_timestamp() + $4 * interval '1 millisecond'
         FROM c WHERE d.notification_id = c.notification_id AND d.target = c.target
         RETURNING d.doc`,
        [id, target, claim.owner, claim.leaseMs],
      );
      return r.rows[0]?.doc;
    });
  }

  async renewDelivery(id: string, target: string, claim: DeliveryClaim): Promise<boolean> {
    if (!(claim.leaseMs > 0) || !Number.isFinite(claim.leaseMs)) throw new StoreError('invalid', `cannot renew a delivery claim for ${claim.leaseMs} ms: the lease must be a positive number of milliseconds`);
    return this.#write(async (db) => {
      if (![id, target, claim.owner].every(isPgText)) return false;
      // Only while this owner holds it: a claim that lapsed and was taken by another round stays that round's.
      const r = await db.query(
        `UPDATE deliveries SET claimed_until = clock_timestamp() + $4 * interval '1 millisecond'
         WHERE notification_id = $1 AND target = $2 AND claimed_by = $3 AND status = 'pending'`,
        [id, target, claim.owner, claim.leaseMs],
      );
      return (r.rowCount ?? 0) > 0;
    });
  }

  async releaseDelivery(id: string, target: string, owner: string): Promise<void> {
    return this.#write(async (db) => {
      if (![id, target, owner].every(isPgText)) return;
      await db.query('UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE notification_id = $1 AND target = $2 AND claimed_by = $3', [id, target, owner]);
    });
  }

  /**
   * Migration 4's table; the expired rows are deleted with one insert in a hundred (an index on expires_at). Outside the
   * order of the other calls (CallOrder): it touches nothing they do, and a burst of Slack requests (each one key) must
   * not wait on one another or on a tick's writes, only on a free connection.
   */
  async firstSeen(key: string, expiresAtMs: number): Promise<boolean> {
    pgText(key, 'seen key');
    if (!Number.isFinite(expiresAtMs)) throw new StoreError('invalid', `cannot remember ${JSON.stringify(key.slice(0, 40))} until ${expiresAtMs}: not a time`);
    const db = this.#open();
    return this.#guard('write', async () => {
      if (++this.#seenCount % 100 === 1) await db.query('DELETE FROM seen_requests WHERE expires_at < $1', [Date.now()]);
      // A row still there but expired is taken over: the key is new again.
      const r = await db.query(
        `INSERT INTO seen_requests (key, expires_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE seen_requests.expires_at < $3`,
        [key, expiresAtMs, Date.now()],
      );
      return r.rowCount === 1;
    });
  }

  async acknowledge(id: string, ack: NonNullable<NotificationRecord['acknowledged']>): Promise<NotificationRecord | undefined> {
    const a = toStored(acknowledgedSchema, ack, 'acknowledgement');
    return this.#write(async (pool) => {
      if (!isPgText(id)) return undefined;
      return transaction(pool, async (c) => {
        // Only the first acknowledgement is kept: of two at once, the second finds the column set.
        await c.query('UPDATE notifications SET acknowledged = $2 WHERE id = $1 AND acknowledged IS NULL', [id, json(a)]);
        const r = await c.query<NotificationRow>(`SELECT ${RECORD_COLUMNS} FROM notifications n WHERE n.id = $1`, [id]);
        return r.rows[0] && toRecord(r.rows[0]);
      });
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const e = toStored(auditSchema, entry, 'audit entry');
    pgText(e.userId, 'audit entry.userId');
    pgText(e.action, 'audit entry.action');
    if (e.basket !== undefined) pgText(e.basket, 'audit entry.basket');
    return this.#write((pool) =>
      transaction(pool, async (c) => {
        // Appends one at a time across replicas (readers are not held up): each trim then sees the entries committed
        // before it, so two appends at once cannot leave maxAudit + 1.
        await c.query('LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE');
        await c.query('INSERT INTO audit (at, platform, user_id, action, basket, doc) VALUES ($1, $2, $3, $4, $5, $6)', [
          e.at,
          e.platform,
          e.userId,
          e.action,
          e.basket ?? null,
          json(e),
        ]);
        await trimAudit(c, this.#limits.maxAudit);
      }),
    );
  }

  async listAudit(opts: { basket?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.#read(async (db) => {
      if (opts.basket !== undefined && !isPgText(opts.basket)) return [];
      const r = await db.query<{ doc: AuditEntry }>('SELECT doc FROM audit WHERE $1::text IS NULL OR basket = $1 ORDER BY position DESC LIMIT $2', [
        opts.basket ?? null,
        sqlLimit(opts.limit),
      ]);
      return r.rows.map((row) => row.doc);
    });
  }

  /** The pool while open; the same error as the lowdb store's otherwise. */
  #open(): pg.Pool {
    if (!this.#pool) throw new Error(`the store at ${this.location} is not open: call open() first`);
    return this.#pool;
  }

  #read<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    return this.#order.read(() => {
      const pool = this.#open();
      return this.#guard('read', () => fn(pool));
    });
  }

  #write<T>(fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
    return this.#order.write(() => {
      const pool = this.#open();
      return this.#guard('write', () => fn(pool));
    });
  }

  /** Run `fn`, turning a failure of the database into a StoreError that names the database (never its password). */
  async #guard<T>(kind: 'read' | 'write', fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storeError(e, this.location, kind);
    }
  }
}

/** JSON text for a json column: exactly what the lowdb store would write. */
function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Whether PostgreSQL text can hold the string as it is: no NUL, no lone surrogate (it would become U+FFFD). */
function isPgText(value: string): boolean {
  return !value.includes('\0') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

/** Check a value stored in a text column (JSON columns hold any string, escaped). */
function pgText(value: string, what: string): void {
  if (!isPgText(value)) throw new StoreError('invalid', `cannot store ${what}: it holds a NUL character or a lone UTF-16 surrogate, which PostgreSQL text cannot hold; nothing was saved`);
}

/** Points in strictly increasing time, as the lowdb store reads history back (a point not newer than the last is dropped). */
function increasing(points: RegimePoint[]): RegimePoint[] {
  const out: RegimePoint[] = [];
  for (const p of points) if (out.length === 0 || p.at > out[out.length - 1].at) out.push(p);
  return out;
}

/**
 * The points of `next` to insert when it continues the stored history (those newer than the stored newest), or
 * undefined when it does not and the basket's history is to be replaced (side-records.ts newHistoryPoints, the same
 * rule on the stored count and newest time instead of the stored points).
 */
function continuation(stored: StoredHistory | undefined, next: RegimePoint[]): RegimePoint[] | undefined {
  if (!stored || stored.count === 0 || stored.lastAt === null) return undefined;
  let k = next.length;
  while (k > 0 && next[k - 1].at > stored.lastAt) k--;
  if (k === 0 || next[k - 1].at !== stored.lastAt || k > stored.count) return undefined;
  return next.slice(k);
}

function deliveryColumns(targets: [string, Delivery][]): unknown[] {
  return [
    targets.map(([t]) => t),
    targets.map(([, d]) => d.status),
    targets.map(([, d]) => d.attempts),
    targets.map(([, d]) => d.lastAttemptAt ?? null),
    targets.map(([, d]) => d.inFlight === true),
    targets.map(([, d]) => json(d)),
  ];
}

function toRecord(row: NotificationRow): NotificationRecord {
  const record = row.doc;
  // Assigned over the placeholders the record was stored with, so its keys keep their order.
  record.deliveries = Object.fromEntries(row.deliveries ?? []);
  if (row.acknowledged !== null) record.acknowledged = row.acknowledged;
  return record;
}

/** A list limit as the lowdb store applies it (`slice(0, max(0, floor(limit)))`); null = no limit. */
function sqlLimit(limit: number | undefined): number | null {
  if (limit === undefined || limit === Infinity) return null;
  const n = Math.max(0, Math.floor(limit));
  return Number.isNaN(n) ? 0 : n;
}

type Db = pg.Pool | pg.PoolClient;

/**
 * Keep the newest `max` notifications plus every older one with a delivery still pending (operations.ts,
 * boundNotifications). The records past the bound are locked first, then deleted by a second statement that sees a
 * delivery made pending meanwhile: updateDelivery holds its record FOR SHARE, so none changes between the two.
 */
async function boundNotifications(c: pg.PoolClient, max: number): Promise<void> {
  const doomed = await c.query<{ id: string }>(
    `SELECT n.id FROM notifications n
     WHERE n.position <= (SELECT position FROM notifications ORDER BY position DESC OFFSET $1 LIMIT 1) AND NOT ${STILL_DELIVERING}
     ORDER BY n.position FOR UPDATE OF n`,
    [max],
  );
  if (doomed.rows.length === 0) return;
  await c.query(`DELETE FROM notifications n WHERE n.id = ANY($1::text[]) AND NOT ${STILL_DELIVERING}`, [doomed.rows.map((r) => r.id)]);
}

/** Keep the newest `max` audit entries. */
async function trimAudit(db: Db, max: number): Promise<void> {
  if (max === Infinity) return;
  await db.query('DELETE FROM audit WHERE position <= (SELECT position FROM audit ORDER BY position DESC OFFSET $1 LIMIT 1)', [max]);
}

/** Run `fn` in a transaction (READ COMMITTED), again up to twice when it deadlocks with another process. */
async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      c.release();
      return result;
    } catch (e) {
      // A client that cannot even roll back has a broken connection: it is dropped, not returned to the pool.
      const rolledBack = await c.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      c.release(rolledBack ? undefined : (e as Error));
      if (attempt < 3 && RETRYABLE.has((e as { code?: string }).code ?? '')) continue;
      throw e;
    }
  }
}

/** A failure of the database as the StoreError the rest of corrwatch handles (a tick reports `store_failing`). */
function storeError(e: unknown, where: string, kind: 'read' | 'write'): StoreError | Error {
  if (e instanceof StoreError) return e;
  if (!(e instanceof Error)) return new StoreError('io', `the PostgreSQL store at ${where} failed: ${String(e)}`);
  // Our own "not open" error stays what it is.
  if (/is not open: call open\(\) first/.test(e.message)) return e;
  const code = (e as { code?: unknown }).code;
  const state = typeof code === 'string' ? code : '';
  if (state === '42P01') {
    return new StoreError('unknown_version', `the database at ${where} lacks corrwatch tables (${e.message}): run \`corrwatch db migrate\``, { cause: e });
  }
  if (state.startsWith('22')) return new StoreError('invalid', `the PostgreSQL store at ${where} refused a value: ${e.message}; nothing was saved`, { cause: e });
  const after = kind === 'write' ? ' This change was not saved (its transaction was rolled back).' : '';
  return new StoreError('io', `the PostgreSQL store at ${where} failed: ${e.message}.${after}`, { cause: e });
}
