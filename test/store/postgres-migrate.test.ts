import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/index.js';
import { migrate, MIGRATIONS, PostgresStore, type Migration } from '../../src/store/postgres/index.js';
import { postgresForFile } from '../helpers/postgres.js';
import { basket } from './builders.js';

const pgServer = await postgresForFile();

/** The tables the migrations create (besides schema_migrations): the store's (1), the candle cache's (2). */
const TABLES = ['audit', 'baskets', 'candle_series', 'candles', 'deliveries', 'notifications', 'regime_history', 'runtimes', 'seen_requests', 'store_meta', 'subscriptions'];

describe.skipIf(!pgServer.server)(`PostgreSQL migrations${pgServer.reason ? ` (skipped: ${pgServer.reason})` : ''}`, () => {
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)));
  });

  async function emptyDatabase(): Promise<{ url: string; pool: () => pg.Pool }> {
    const url = pgServer.server!.url(await pgServer.server!.createDatabase('migrate'));
    return {
      url,
      pool: () => {
        const p = new pg.Pool({ connectionString: url });
        pools.push(p);
        return p;
      },
    };
  }

  async function tables(pool: pg.Pool): Promise<string[]> {
    const r = await pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    return r.rows.map((row) => row.tablename);
  }

  async function migrationRows(pool: pg.Pool): Promise<{ version: number; name: string }[]> {
    return (await pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
  }

  it('the migration files are numbered 001, 002, ... in the order they are listed, each with its SQL', () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'store', 'postgres', 'migrations');
    const files = readdirSync(dir).filter((f) => /^\d{3}_.+\.ts$/.test(f)).sort();
    expect(files.map((f) => f.replace(/\.ts$/, ''))).toEqual(MIGRATIONS.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`));
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.sql).toMatch(/CREATE|ALTER|DROP|INSERT|UPDATE/);
  });

  it('up from an empty database: every table, and one row per migration in schema_migrations', async () => {
    const db = await emptyDatabase();
    const pool = db.pool();
    expect(await tables(pool)).toEqual([]);
    const r = await migrate(pool);
    expect(r).toEqual({ applied: MIGRATIONS.map((m) => ({ version: m.version, name: m.name })), version: MIGRATIONS.length });
    expect(await tables(pool)).toEqual([...TABLES, 'schema_migrations'].sort());
    expect(await migrationRows(pool)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    // And the store opens on it.
    const store = new PostgresStore({ url: db.url });
    await store.open([basket('majors')]);
    expect((await store.listBaskets()).map((b) => b.name)).toEqual(['majors']);
    await store.close();
  });

  it('up from the previous version: applies only the newer migrations, and the data stays', async () => {
    const db = await emptyDatabase();
    const pool = db.pool();
    const previous = MIGRATIONS.slice(0, -1);
    await migrate(pool, 'db', previous);
    // What a corrwatch of the previous version wrote (this one's store refuses to open a database not up to date).
    await pool.query('INSERT INTO store_meta (created_at, seeded) VALUES (1, true)');
    await pool.query('INSERT INTO baskets (name, doc) VALUES ($1, $2)', ['majors', JSON.stringify(basket('majors'))]);
    const latest = MIGRATIONS[MIGRATIONS.length - 1];
    expect(await migrate(pool)).toEqual({ applied: [{ version: latest.version, name: latest.name }], version: MIGRATIONS.length });
    expect(await tables(pool)).toEqual([...TABLES, 'schema_migrations'].sort());
    const store = new PostgresStore({ url: db.url });
    await store.open([]);
    expect(await store.listBaskets()).toEqual([basket('majors')]);
    await store.close();
  });

  it('run again, it applies nothing and changes nothing', async () => {
    const pool = (await emptyDatabase()).pool();
    await migrate(pool);
    const before = await migrationRows(pool);
    expect(await migrate(pool)).toEqual({ applied: [], version: MIGRATIONS.length });
    expect(await migrationRows(pool)).toEqual(before);
  });

  it('two processes migrating at once apply each migration once (the advisory lock makes the second wait)', async () => {
    const db = await emptyDatabase();
    // A second migration that takes a while, so the two runs overlap.
    const slow: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'slow', sql: 'SELECT pg_sleep(0.3); CREATE TABLE slow_marker (x int)' }];
    const [a, b] = await Promise.all([migrate(db.pool(), 'a', slow), migrate(db.pool(), 'b', slow)]);
    const applied = [...a.applied, ...b.applied].map((m) => m.version).sort((x, y) => x - y);
    expect(applied).toEqual(slow.map((m) => m.version));
    // One of them did all the work; the other found nothing left.
    expect([a.applied.length, b.applied.length].sort()).toEqual([0, slow.length]);
    expect(a.version).toBe(slow.length);
    expect(b.version).toBe(slow.length);
    expect((await migrationRows(db.pool())).map((r) => r.version)).toEqual(slow.map((m) => m.version));
  });

  it('hands its connection back as it found it: no statement timeout while it waits, the pool\'s own after', async () => {
    const db = await emptyDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 1, statement_timeout: 1234 });
    pools.push(pool);
    await migrate(pool);
    expect((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0].statement_timeout).toBe('1234ms');
  });

  it('a failing migration is rolled back whole; those before it stay applied, and the run can be repeated once fixed', async () => {
    const db = await emptyDatabase();
    const pool = db.pool();
    const broken: Migration[] = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x int); SELECT * FROM no_such_table' }];
    const error = await migrate(pool, 'the test database', broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`migration ${broken.length} \\(broken\\) failed on the test database and was rolled back: relation "no_such_table" does not exist`));
    expect((await migrationRows(pool)).map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(await tables(pool)).not.toContain('half_done');
    const fixed: Migration[] = [...MIGRATIONS, { ...broken[broken.length - 1], sql: 'CREATE TABLE half_done (x int)' }];
    expect((await migrate(pool, 'the test database', fixed)).applied.map((m) => m.name)).toEqual(['broken']);
    expect(await tables(pool)).toContain('half_done');
  });

  it('refuses a database a newer corrwatch migrated, at migrate and at open', async () => {
    const db = await emptyDatabase();
    const newer: Migration[] = [...MIGRATIONS, { version: 99, name: 'from_the_future', sql: 'CREATE TABLE future (x int)' }];
    await migrate(db.pool(), 'db', newer);
    await expect(migrate(db.pool(), 'db')).rejects.toMatchObject({ code: 'unknown_version', message: expect.stringMatching(/has schema migration 99, which this corrwatch does not know/) });
    const store = new PostgresStore({ url: db.url });
    await expect(store.open([])).rejects.toMatchObject({ code: 'unknown_version', message: expect.stringContaining('migration 99') });
    await expect(store.listBaskets()).rejects.toThrow(/not open/);
  });

  it('a store opened without migrating refuses a database without the tables, and says to run `corrwatch db migrate`', async () => {
    const db = await emptyDatabase();
    const store = new PostgresStore({ url: db.url });
    await expect(store.open([])).rejects.toMatchObject({
      code: 'unknown_version',
      message: expect.stringMatching(/^the database at postgres:\/\/postgres@127\.0\.0\.1:\d+\/migrate_\d+_\d+ has no corrwatch tables yet: run `corrwatch db migrate`/),
    });
    // migrate() on the store (what `corrwatch db migrate` calls) works without opening it; then open succeeds.
    expect((await store.migrate()).applied).toHaveLength(MIGRATIONS.length);
    await store.open([]);
    await store.close();
    expect(await tables(db.pool())).toContain('baskets');
  });

  it('stores on an empty database opened at once by two replicas migrate and seed it once', async () => {
    const db = await emptyDatabase();
    const replicas = [new PostgresStore({ url: db.url }, { migrate: true }), new PostgresStore({ url: db.url }, { migrate: true })];
    await Promise.all(replicas.map((s) => s.open([basket('majors'), basket('defi')])));
    expect(replicas.map((s) => s.lastMigration!.applied.length).sort()).toEqual([0, MIGRATIONS.length]);
    expect((await replicas[1].listBaskets()).map((b) => b.name)).toEqual(['majors', 'defi']);
    await Promise.all(replicas.map((s) => s.close()));
  });
});
