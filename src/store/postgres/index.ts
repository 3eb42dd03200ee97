export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { migrate, appliedVersions, schemaState, MIGRATION_LOCK_KEY, type MigrationResult, type SchemaState } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations/index.js';
export { connectionString, parsePostgresUrl, redactedUrl, type PostgresTarget } from './connection.js';
