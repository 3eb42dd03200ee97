import { formatIssues } from '../domain/issues.js';
import { StoreError } from './errors.js';
import { boundNotifications, keepNewest } from './operations.js';
import type { StoreLimits } from './options.js';
import { storeDataSchema } from './schema.js';
import { STORE_SCHEMA_VERSION, type RegimePoint, type StoreData } from './types.js';

// `corrwatch store export FILE` / `store import FILE` (issue 13): everything a store holds, whichever store holds it
// (the lowdb files or PostgreSQL), as one versioned JSON file, so a store moves from lowdb into PostgreSQL and back.

export const EXPORT_FORMAT = 'corrwatch-store-export';
/** The version of the export file; an import refuses a newer one (written by a newer corrwatch). */
export const EXPORT_VERSION = 1;

/**
 * What a store holds, as the lowdb document holds it (StoreData without the file's own schemaVersion): baskets,
 * subscriptions, notifications (with their deliveries and acknowledgement) and audit oldest first, as they were
 * added; each basket's runtime (alert and detector state) with its regime history, oldest first, filed by basket
 * name in name order; when the store was created and whether the config's baskets were seeded.
 */
export type StoreContents = Omit<StoreData, 'schemaVersion'>;

/** The export file. */
export interface StoreExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  /** When it was written (ISO 8601). */
  exportedAt: string;
  /** The store it came from (a path, or a URL without its password). */
  from: string;
  store: StoreContents;
}

/** How much of each thing a store holds (what an import moved, or why a target counts as not empty). */
export interface StoreCounts {
  baskets: number;
  subscriptions: number;
  runtimes: number;
  historyPoints: number;
  notifications: number;
  deliveries: number;
  audit: number;
}

/** A store exports and imports its contents (both backends; see `storeTransfer` in src/app/store.ts). */
export interface StoreTransfer {
  /** Where the store is (for messages). */
  readonly location: string;
  /** Everything the store holds, as of one moment. */
  exportContents(): Promise<StoreContents>;
  /**
   * Put `contents` in the store, bounded by its limits, all at once (one transaction, or one write under the lock
   * file). Refuses (ImportRefused) a store that holds anything unless `replace`, which drops all it held first.
   */
  importContents(contents: StoreContents, opts: { replace: boolean }): Promise<StoreCounts>;
}

/** An import into a store that is not empty, without `--replace`: nothing was changed. */
export class ImportRefused extends Error {
  readonly held: StoreCounts;
  constructor(location: string, held: StoreCounts) {
    super(
      `the store at ${location} is not empty (it holds ${describeCounts(held)}); nothing was imported. Import into an empty store, or add --replace to drop everything it holds and put the file's contents in its place`,
    );
    this.name = 'ImportRefused';
    this.held = held;
  }
}

export function countsOf(contents: StoreContents): StoreCounts {
  const runtimes = Object.values(contents.runtime);
  return {
    baskets: contents.baskets.length,
    subscriptions: contents.subscriptions.length,
    runtimes: runtimes.length,
    historyPoints: runtimes.reduce((n, rt) => n + rt.history.length, 0),
    notifications: contents.notifications.length,
    deliveries: contents.notifications.reduce((n, r) => n + Object.keys(r.deliveries).length, 0),
    audit: contents.audit.length,
  };
}

/** Whether a store holding this has nothing to lose (store_meta alone does not count). */
export function isEmpty(counts: StoreCounts): boolean {
  return counts.baskets + counts.subscriptions + counts.runtimes + counts.notifications + counts.audit === 0;
}

export function describeCounts(c: StoreCounts): string {
  const parts: [number, string][] = [
    [c.baskets, 'basket'],
    [c.subscriptions, 'subscription'],
    [c.runtimes, 'basket runtime'],
    [c.historyPoints, 'history point'],
    [c.notifications, 'notification'],
    [c.deliveries, 'delivery'],
    [c.audit, 'audit entry'],
  ];
  const text = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${n === 1 ? what : what.replace(/y$/, 'ie') + 's'}`);
  return text.length ? text.join(', ') : 'nothing';
}

/**
 * The contents in a canonical order, so that two stores holding the same export to the same file: runtimes filed in
 * basket-name order (code-unit order, not a locale's).
 */
export function canonicalContents(contents: StoreContents): StoreContents {
  const names = Object.keys(contents.runtime).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    createdAt: contents.createdAt,
    seeded: contents.seeded,
    baskets: contents.baskets,
    subscriptions: contents.subscriptions,
    runtime: Object.fromEntries(names.map((n) => [n, contents.runtime[n]])),
    notifications: contents.notifications,
    audit: contents.audit,
  };
}

/**
 * The contents as a store with `limits` keeps them (what it would show after the import): each history the newest
 * maxHistory points in strictly increasing time (as both stores read a history back), the newest maxNotifications
 * notifications plus older ones still being delivered, the newest maxAudit audit entries.
 */
export function boundedContents(contents: StoreContents, limits: StoreLimits): StoreContents {
  return {
    ...contents,
    runtime: Object.fromEntries(Object.entries(contents.runtime).map(([name, rt]) => [name, { ...rt, history: keepNewest(increasing(rt.history), limits.maxHistory) }])),
    notifications: boundNotifications(contents.notifications, limits.maxNotifications),
    audit: keepNewest(contents.audit, limits.maxAudit),
  };
}

function increasing(points: RegimePoint[]): RegimePoint[] {
  const out: RegimePoint[] = [];
  for (const p of points) if (out.length === 0 || p.at > out[out.length - 1].at) out.push(p);
  return out;
}

/** The export file's text (indented: it is for people too). */
export function formatExport(contents: StoreContents, from: string, now: Date = new Date()): string {
  const file: StoreExport = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: now.toISOString(), from, store: canonicalContents(contents) };
  return JSON.stringify(file, null, 2) + '\n';
}

/**
 * Read an export file: the format and version checked, then every record with the store's own schemas and the
 * document's invariants (unique basket names, notification ids and subscriptions; each runtime under its basket's
 * name). Throws a StoreError naming the file and what is wrong (`corrupt`, or `unknown_version` for a newer file).
 */
export function parseExport(text: string, file: string): StoreExport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new StoreError('corrupt', `${file} is not valid JSON (${(e as Error).message}): it is not a corrwatch store export`);
  }
  const head = (data && typeof data === 'object' && !Array.isArray(data) ? data : {}) as Partial<StoreExport>;
  if (head.format !== EXPORT_FORMAT) throw new StoreError('corrupt', `${file} is not a corrwatch store export (no "format": "${EXPORT_FORMAT}")`);
  if (typeof head.version !== 'number' || !Number.isInteger(head.version) || head.version < 1) {
    throw new StoreError('corrupt', `${file}: "version" must be a whole number, got ${JSON.stringify(head.version)}`);
  }
  if (head.version > EXPORT_VERSION) {
    throw new StoreError('unknown_version', `${file} is a store export of version ${head.version}, written by a newer corrwatch; this one reads version ${EXPORT_VERSION}`);
  }
  if (!head.store || typeof head.store !== 'object' || Array.isArray(head.store)) throw new StoreError('corrupt', `${file}: "store" must be an object`);
  const parsed = storeDataSchema.safeParse({ ...head.store, schemaVersion: STORE_SCHEMA_VERSION });
  if (!parsed.success) throw new StoreError('corrupt', `${file} holds records a store would refuse: ${formatIssues(parsed.error, 'store')}; nothing was imported`);
  const doc = parsed.data as StoreData;
  const store: StoreContents = {
    createdAt: doc.createdAt,
    seeded: doc.seeded,
    baskets: doc.baskets,
    subscriptions: doc.subscriptions,
    runtime: doc.runtime,
    notifications: doc.notifications,
    audit: doc.audit,
  };
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: String(head.exportedAt ?? ''), from: String(head.from ?? ''), store };
}
