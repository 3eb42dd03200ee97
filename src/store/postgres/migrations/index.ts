import initial from './001_initial.js';
import candleCache from './002_candle_cache.js';
import deliveryClaims from './003_delivery_claims.js';
import seenRequests from './004_seen_requests.js';

/** One schema change: applied once, in version order, in its own transaction. */
export interface Migration {
  /** 1, 2, 3...: the number of its file (`001_initial.ts`). */
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, oldest first. To change the schema add the next file (`002_<name>.ts`, a default export of SQL)
 * and list it here; never edit one that has shipped (a database that applied it would not get the change). The
 * runner wraps each in a transaction: no BEGIN or COMMIT in the SQL, and nothing that cannot run in a transaction.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'candle_cache', sql: candleCache },
  { version: 3, name: 'delivery_claims', sql: deliveryClaims },
  { version: 4, name: 'seen_requests', sql: seenRequests },
];
