import { UserError } from '../src/domain/errors.js';
import { jsonArg } from './common-args.js';
import type { CommandSpec } from './types.js';

/** `corrwatch db migrate`: the PostgreSQL store's tables, created and upgraded by numbered migrations (issue 13). */
export const dbCommand: CommandSpec = {
  name: 'db',
  summary: "the PostgreSQL store's schema (DATABASE_URL or store.url)",
  adminOnly: true,
  surfaces: ['cli'],
  args: [],
  examples: ['db migrate'],
  subcommands: [
    {
      name: 'migrate',
      summary: "create or upgrade the PostgreSQL store's tables: apply the migrations it lacks, in order (start does it too)",
      adminOnly: true,
      surfaces: ['cli'],
      args: [jsonArg],
      examples: ['db migrate', 'db migrate --json'],
      async handler(ctx) {
        const db = ctx.services.database;
        if (!db) {
          throw new UserError(
            'no_database',
            'no PostgreSQL store is configured: set DATABASE_URL (or store.url in the config) to postgres://user@host:5432/database. The lowdb store in the data directory needs no migration.',
          );
        }
        const r = await db.migrate();
        const name = (m: { version: number; name: string }) => `${String(m.version).padStart(3, '0')}_${m.name}`;
        return {
          title: r.applied.length ? `Applied ${r.applied.length} migration${r.applied.length > 1 ? 's' : ''}` : 'The database is up to date',
          text: [...r.applied.map((m) => `applied ${name(m)}`), `${db.location}: schema version ${r.version}`].join('\n'),
          data: { location: db.location, applied: r.applied, version: r.version },
        };
      },
    },
  ],
};
