import pg from 'pg';
import { StoreError } from '../errors.js';
import { keepNewest } from '../operations.js';
import { resolveLimits, type StoreLimits, type StoreOptions } from '../options.js';
import { storeDataSchema } from '../schema.js';
import { toStored } from '../stored.js';
import { boundedContents, canonicalContents, countsOf, ImportRefused, isEmpty, type StoreContents, type StoreCounts, type StoreTransfer } from '../transfer.js';
import { STORE_SCHEMA_VERSION, type AuditEntry, type Basket, type BasketRuntime, type Delivery, type NotificationRecord, type RegimePoint, type StoreData, type Subscription } from '../types.js';
import { connectionString, redactedUrl, type PostgresTarget } from './connection.js';
import { appliedVersions, newerSchemaError, schemaState } from './migrate.js';

/** The store's tables (migration 1), locked and emptied together by an import. The candle cache is not the store's. */
const STORE_TABLES = ['store_meta', 'baskets', 'subscriptions', 'runtimes', 'regime_history', 'notifications', 'deliveries', 'audit'];

/**
 * `corrwatch store export` / `import` on a PostgreSQL store (issue 13). An export reads every table in one
 * REPEATABLE READ transaction (one snapshot, while replicas go on writing); an import writes everything in one
 * transaction holding the store's tables locked against writers, so it is applied whole or not at all. The rows are
 * laid out as PostgresStore lays them out (migrations/001_initial.ts: each value whole as JSON beside the columns it is
 * looked up by; a runtime's history in regime_history, a notification's deliveries in deliveries, its
 * acknowledgement in its own column) and read back as PostgresStore reads them, bounded by the same limits.
 */
export class PostgresTransfer implements StoreTransfer {
  readonly location: string;
  readonly #target: PostgresTarget;
  readonly #limits: StoreLimits;

  constructor(target: PostgresTarget, limits: StoreOptions = {}) {
    this.#target = target;
    this.location = redactedUrl(target.url);
    this.#limits = resolveLimits(limits);
  }

  async exportContents(): Promise<StoreContents> {
    return this.#session('read', async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await this.#checkSchema(c);
      const meta = (await c.query<{ created_at: number; seeded: boolean }>('SELECT created_at, seeded FROM store_meta')).rows[0];
      const docs = async <T>(sql: string) => (await c.query<{ doc: T }>(sql)).rows.map((r) => r.doc);
      const baskets = await docs<Basket>('SELECT doc FROM baskets ORDER BY position');
      const subscriptions = await docs<Subscription>('SELECT doc FROM subscriptions ORDER BY position');
      const runtimes = (await c.query<{ basket: string; doc: BasketRuntime }>('SELECT basket, doc FROM runtimes')).rows;
      const history = new Map<string, RegimePoint[]>();
      for (const row of (await c.query<{ basket: string; doc: RegimePoint }>('SELECT basket, doc FROM regime_history ORDER BY basket, at')).rows) {
        let points = history.get(row.basket);
        if (!points) history.set(row.basket, (points = []));
        points.push(row.doc);
      }
      const notifications = (
        await c.query<{ doc: NotificationRecord; acknowledged: NotificationRecord['acknowledged'] | null; deliveries: [string, Delivery][] | null }>(
          `SELECT n.doc, n.acknowledged,
             (SELECT json_agg(json_build_array(d.target, d.doc) ORDER BY d.position) FROM deliveries d WHERE d.notification_id = n.id) AS deliveries
           FROM notifications n ORDER BY n.position`,
        )
      ).rows.map((row) => {
        // Assigned over the placeholders the record was stored with, so its keys keep their order.
        const record = row.doc;
        record.deliveries = Object.fromEntries(row.deliveries ?? []);
        if (row.acknowledged !== null) record.acknowledged = row.acknowledged;
        return record;
      });
      const audit = await docs<AuditEntry>('SELECT doc FROM audit ORDER BY position');
      await c.query('COMMIT');
      const runtime: StoreData['runtime'] = {};
      for (const { basket, doc } of runtimes) {
        doc.history = keepNewest(history.get(basket) ?? [], this.#limits.maxHistory);
        runtime[basket] = doc;
      }
      return canonicalContents({ createdAt: meta?.created_at ?? Date.now(), seeded: meta?.seeded ?? false, baskets, subscriptions, runtime, notifications, audit });
    });
  }

  async importContents(contents: StoreContents, opts: { replace: boolean }): Promise<StoreCounts> {
    const doc = toStored<StoreData>(storeDataSchema, { schemaVersion: STORE_SCHEMA_VERSION, ...boundedContents(contents, this.#limits) }, 'the imported store');
    return this.#session('write', async (c) => {
      await c.query('BEGIN');
      await this.#checkSchema(c);
      // Writers (replicas still running, a CLI) wait until the import is committed; another import waits too.
      await c.query(`LOCK TABLE ${STORE_TABLES.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
      const held = await storedCounts(c);
      if (!isEmpty(held) && !opts.replace) throw new ImportRefused(this.location, held);
      if (!isEmpty(held) || opts.replace) await c.query(`TRUNCATE ${STORE_TABLES.join(', ')} RESTART IDENTITY`);
      await insertContents(c, doc);
      await c.query('COMMIT');
      return countsOf(doc);
    });
  }

  /** Refuses a database without the tables (run `db migrate`) or migrated by a newer corrwatch. */
  async #checkSchema(c: pg.ClientBase): Promise<void> {
    const state = schemaState(await appliedVersions(c as pg.PoolClient));
    if (state.unknown.length > 0) throw newerSchemaError(this.location, state.unknown);
    if (state.pending.length > 0) {
      throw new StoreError(
        'unknown_version',
        `the database at ${this.location} ${state.applied.length === 0 ? 'has no corrwatch tables yet' : `lacks schema migration${state.pending.length > 1 ? 's' : ''} ${state.pending.map((m) => m.version).join(', ')}`}: run \`corrwatch db migrate\` first`,
      );
    }
  }

  /** One connection for `fn`, rolled back when it throws; a database failure becomes a StoreError naming the database. */
  async #session<T>(kind: 'read' | 'write', fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: connectionString(this.#target), application_name: 'corrwatch store transfer', connectionTimeoutMillis: 10_000 });
    try {
      await c.connect();
      try {
        return await fn(c);
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } catch (e) {
      if (e instanceof StoreError || e instanceof ImportRefused) throw e;
      const code = (e as { code?: unknown }).code;
      const state = typeof code === 'string' ? code : '';
      const after = kind === 'write' ? ' Nothing was imported (the transaction was rolled back).' : '';
      throw new StoreError(state.startsWith('22') ? 'invalid' : 'io', `the PostgreSQL store at ${this.location} failed: ${(e as Error).message}.${after}`, { cause: e });
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}

/** What the store's tables hold now. */
async function storedCounts(c: pg.ClientBase): Promise<StoreCounts> {
  const r = await c.query<Record<keyof StoreCounts, string>>(
    `SELECT (SELECT count(*) FROM baskets) AS baskets, (SELECT count(*) FROM subscriptions) AS subscriptions,
       (SELECT count(*) FROM runtimes) AS runtimes, (SELECT count(*) FROM regime_history) AS "historyPoints",
       (SELECT count(*) FROM notifications) AS notifications, (SELECT count(*) FROM deliveries) AS deliveries,
       (SELECT count(*) FROM audit) AS audit`,
  );
  return Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k, Number(v)])) as unknown as StoreCounts;
}

/** Every row of `doc`, in the order the lists hold them (positions follow it), as PostgresStore writes them. */
async function insertContents(c: pg.ClientBase, doc: StoreData): Promise<void> {
  const json = (v: unknown) => JSON.stringify(v);
  await c.query('INSERT INTO store_meta (created_at, seeded) VALUES ($1, $2)', [doc.createdAt, doc.seeded]);
  await c.query('INSERT INTO baskets (name, doc) SELECT n, d FROM unnest($1::text[], $2::json[]) WITH ORDINALITY AS x(n, d, o) ORDER BY o', [
    doc.baskets.map((b) => b.name),
    doc.baskets.map(json),
  ]);
  await c.query(
    'INSERT INTO subscriptions (basket, platform, channel_id, doc) SELECT b, p, ch, d FROM unnest($1::text[], $2::text[], $3::text[], $4::json[]) WITH ORDINALITY AS x(b, p, ch, d, o) ORDER BY o',
    [doc.subscriptions.map((s) => s.basket), doc.subscriptions.map((s) => s.platform), doc.subscriptions.map((s) => s.channelId), doc.subscriptions.map(json)],
  );
  const runtimes = Object.values(doc.runtime);
  await c.query('INSERT INTO runtimes (basket, doc, history_count, history_last_at) SELECT * FROM unnest($1::text[], $2::json[], $3::int[], $4::float8[])', [
    runtimes.map((r) => r.basket),
    runtimes.map((r) => json({ ...r, history: [] })),
    runtimes.map((r) => r.history.length),
    runtimes.map((r) => (r.history.length ? r.history[r.history.length - 1].at : null)),
  ]);
  const points = runtimes.flatMap((r) => r.history.map((p) => ({ basket: r.basket, p })));
  await c.query('INSERT INTO regime_history (basket, at, doc) SELECT * FROM unnest($1::text[], $2::float8[], $3::json[])', [
    points.map((x) => x.basket),
    points.map((x) => x.p.at),
    points.map((x) => json(x.p)),
  ]);
  const ns = doc.notifications;
  await c.query(
    `INSERT INTO notifications (id, basket, episode, kind, at, created_at, doc, acknowledged)
     SELECT i, b, e, k, a, cr, d, ack FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::float8[], $6::float8[], $7::json[], $8::json[]) WITH ORDINALITY AS x(i, b, e, k, a, cr, d, ack, o) ORDER BY o`,
    [
      ns.map((n) => n.id),
      ns.map((n) => n.basket),
      ns.map((n) => n.episode),
      ns.map((n) => n.kind),
      ns.map((n) => n.at),
      ns.map((n) => n.createdAt),
      ns.map((n) => json({ ...n, deliveries: {} })),
      ns.map((n) => (n.acknowledged ? json(n.acknowledged) : null)),
    ],
  );
  const ds = ns.flatMap((n) => Object.entries(n.deliveries).map(([target, d]) => ({ id: n.id, target, d })));
  await c.query(
    `INSERT INTO deliveries (notification_id, target, status, attempts, last_attempt_at, in_flight, doc)
     SELECT i, t, s, a, l, f, d FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::bool[], $7::json[]) WITH ORDINALITY AS x(i, t, s, a, l, f, d, o) ORDER BY o`,
    [
      ds.map((x) => x.id),
      ds.map((x) => x.target),
      ds.map((x) => x.d.status),
      ds.map((x) => x.d.attempts),
      ds.map((x) => x.d.lastAttemptAt ?? null),
      ds.map((x) => x.d.inFlight === true),
      ds.map((x) => json(x.d)),
    ],
  );
  await c.query(
    'INSERT INTO audit (at, platform, user_id, action, basket, doc) SELECT a, p, u, ac, b, d FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[]) WITH ORDINALITY AS x(a, p, u, ac, b, d, o) ORDER BY o',
    [doc.audit.map((e) => e.at), doc.audit.map((e) => e.platform), doc.audit.map((e) => e.userId), doc.audit.map((e) => e.action), doc.audit.map((e) => e.basket ?? null), doc.audit.map(json)],
  );
}
