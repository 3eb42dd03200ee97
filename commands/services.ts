import type { ChartRenderer } from '../src/chart/index.js';
import type { StoreTransfer } from '../src/store/transfer.js';
import type { Store } from '../src/store/types.js';

/** Longer-lived pieces a handler may use beyond the market source. */
export interface Services {
  readonly version: string;
  /** The store (baskets, subscriptions, alert state, audit). Absent in bare CLI queries: baskets then come from config. */
  store?: Store;
  /** The PostgreSQL store's schema, for `db migrate`; absent when the store is lowdb (issue 13). */
  database?: DatabaseSchema;
  /** `store export` / `store import`: the chosen store's contents (lowdb or PostgreSQL); CLI only (issue 13). */
  transfer?: StoreTransfer;
  /** Chart rendering (Chart.js on @napi-rs/canvas); absent when charts are not wanted. */
  charts?: ChartRenderer;
}

/** Migrations of the PostgreSQL store (src/store/postgres/migrate.ts). */
export interface DatabaseSchema {
  /** The database's URL without its password. */
  readonly location: string;
  /** Apply the migrations the database lacks; what was applied and the version now. */
  migrate(): Promise<{ applied: { version: number; name: string }[]; version: number }>;
}
