import type { Config } from '../config/schema.js';
import { ConfigError } from '../domain/errors.js';
import { existsSync } from 'node:fs';
import { UserError } from '../domain/errors.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { STORE_FILE, storeFilePath } from '../store/paths.js';
import type { StoreTransfer } from '../store/transfer.js';
import type { StoreOptions } from '../store/options.js';
import { parsePostgresUrl, redactedUrl, type PostgresTarget } from '../store/postgres/connection.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../store/types.js';

type Env = Record<string, string | undefined>;

/** Which store a process uses: the lowdb files in the data directory (the default), or PostgreSQL (issue 13). */
export type StoreChoice =
  | { kind: 'lowdb'; dataDir: string }
  | { kind: 'postgres'; target: PostgresTarget; location: string; from: 'DATABASE_URL' | 'store.url' };

/**
 * DATABASE_URL (which may hold the password: it is a secret of the environment), else the config's `store.url`
 * (which may not: the password comes from PGPASSWORD, or node-postgres's ~/.pgpass), selects PostgreSQL; else lowdb.
 * A DATABASE_URL that is not a PostgreSQL URL is a ConfigError that does not repeat it.
 */
export function chooseStore(config: Config, env: Env): StoreChoice {
  const password = env.PGPASSWORD || undefined;
  const fromEnv = env.DATABASE_URL?.trim();
  if (fromEnv) {
    const parsed = parsePostgresUrl(fromEnv);
    if ('problem' in parsed) throw new ConfigError([`DATABASE_URL ${parsed.problem}`]);
    return { kind: 'postgres', target: { url: fromEnv, password }, location: redactedUrl(fromEnv), from: 'DATABASE_URL' };
  }
  if (config.store.url) return { kind: 'postgres', target: { url: config.store.url, password }, location: redactedUrl(config.store.url), from: 'store.url' };
  return { kind: 'lowdb', dataDir: config.dataDir };
}

/** A store made for a choice (not opened), with its concrete class for the hooks only one of them has. */
export type ChosenStore = { store: Store; lowdb: LowdbStore; postgres?: undefined } | { store: Store; lowdb?: undefined; postgres: PostgresStore };

/**
 * The store of a choice, not yet opened. PostgreSQL's module (and node-postgres) is loaded only here, when chosen:
 * a CLI run on lowdb never loads it. With `migrate`, opening the PostgreSQL store applies pending migrations first.
 */
export async function createStore(choice: StoreChoice, limits: StoreOptions, opts: { migrate?: boolean } = {}): Promise<ChosenStore> {
  if (choice.kind === 'lowdb') {
    const lowdb = new LowdbStore(choice.dataDir, limits);
    return { store: lowdb, lowdb };
  }
  const { PostgresStore } = await import('../store/postgres/postgres-store.js');
  const postgres = new PostgresStore(choice.target, { ...limits, migrate: opts.migrate });
  return { store: postgres, postgres };
}

/**
 * `corrwatch store export` / `import` on the chosen store (issue 13). Nothing is opened until a method is called, and
 * each call opens the store and closes it (node-postgres is loaded only for PostgreSQL). Exporting a lowdb store that
 * does not exist is refused rather than creating an empty one; importing into one creates it.
 */
export function storeTransfer(choice: StoreChoice, limits: StoreOptions): StoreTransfer {
  if (choice.kind === 'postgres') {
    const transfer = async () => new (await import('../store/postgres/transfer.js')).PostgresTransfer(choice.target, limits);
    return {
      location: choice.location,
      exportContents: async () => (await transfer()).exportContents(),
      importContents: async (contents, opts) => (await transfer()).importContents(contents, opts),
    };
  }
  const withStore = async <T>(fn: (store: LowdbStore) => Promise<T>): Promise<T> => {
    const store = new LowdbStore(choice.dataDir, limits);
    await store.open([]);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  return {
    location: storeFilePath(choice.dataDir),
    exportContents: async () => {
      if (!existsSync(storeFilePath(choice.dataDir))) throw new UserError('no_store', `there is no store to export in ${choice.dataDir} (no ${STORE_FILE})`);
      return withStore((store) => store.exportContents());
    },
    importContents: (contents, opts) => withStore((store) => store.importContents(contents, opts)),
  };
}
