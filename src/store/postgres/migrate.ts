import type pg from 'pg';
import { StoreError } from '../errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** The advisory lock key held while migrating ('corr' in ASCII): one migrating process at a time per database. */
export const MIGRATION_LOCK_KEY = 0x636f7272;

/** What `migrate` did: the migrations it applied (none when the database was up to date) and the version now. */
export interface MigrationResult {
  applied: { version: number; name: string }[];
  version: number;
}

/** Where a database stands against the migrations this corrwatch knows. */
export interface SchemaState {
  /** Versions applied, ascending (empty when there is no schema_migrations table). */
  applied: number[];
  /** Known migrations not yet applied. */
  pending: Migration[];
  /** Applied versions this corrwatch does not know (a newer corrwatch migrated the database). */
  unknown: number[];
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Compare the versions a database has applied with `migrations`. */
export function schemaState(applied: number[], migrations: readonly Migration[] = MIGRATIONS): SchemaState {
  const known = new Set(migrations.map((m) => m.version));
  const done = new Set(applied);
  return {
    applied: [...applied].sort((a, b) => a - b),
    pending: migrations.filter((m) => !done.has(m.version)),
    unknown: applied.filter((v) => !known.has(v)).sort((a, b) => a - b),
  };
}

/** The versions applied in the database (none when it has no schema_migrations table). */
export async function appliedVersions(db: pg.Pool | pg.PoolClient): Promise<number[]> {
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0].t) return [];
  const r = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return r.rows.map((row) => row.version);
}

/** The error for a database that a newer corrwatch migrated. */
export function newerSchemaError(where: string, unknown: number[]): StoreError {
  return new StoreError(
    'unknown_version',
    `the database at ${where} has schema migration${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}, which this corrwatch does not know (a newer corrwatch applied ${unknown.length > 1 ? 'them' : 'it'}): run that version, or restore a backup taken before the upgrade`,
  );
}

/**
 * Apply the migrations the database has not applied yet, in version order, each in its own transaction together with
 * its row in `schema_migrations`. The whole run holds a session advisory lock (MIGRATION_LOCK_KEY), so replicas that
 * start at once migrate one after the other: the first applies, the others find nothing left to do. A failing
 * migration is rolled back whole and stops the run (the ones before it stay applied). Refuses (StoreError
 * `unknown_version`) a database that has a migration this corrwatch does not know. `where` names the database in
 * messages (a URL without its password).
 */
export async function migrate(pool: pg.Pool, where = 'the database', migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    // Waiting for another replica's migration, however long it takes, is not a timeout (reset before release).
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const state = schemaState(await appliedVersions(client), migrations);
      if (state.unknown.length > 0) throw newerSchemaError(where, state.unknown);
      const applied: MigrationResult['applied'] = [];
      for (const m of state.pending) {
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new StoreError('io', `migration ${m.version} (${m.name}) failed on ${where} and was rolled back: ${(e as Error).message}`, { cause: e });
        }
        applied.push({ version: m.version, name: m.name });
      }
      const versions = [...state.applied, ...applied.map((a) => a.version)];
      return { applied, version: versions.length ? Math.max(...versions) : 0 };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((e: Error) => (broken = e));
      await client.query('RESET statement_timeout').catch((e: Error) => (broken = e));
    }
  } catch (e) {
    broken ??= e instanceof StoreError ? undefined : (e as Error);
    throw e;
  } finally {
    // A client whose connection failed is dropped, not handed back to the pool (its session lock dies with it).
    client.release(broken);
  }
}
