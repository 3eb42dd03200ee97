import type { z } from 'zod';
import { StoreError } from './errors.js';
import { formatIssues } from '../domain/issues.js';
import { auditSchema, notificationSchema, regimePointSchema } from './schema.js';
import type { AuditEntry, NotificationRecord, RegimePoint, StoreData } from './types.js';

// The parts of the store that grow (regime history, the outbox, the audit log) live in append-only JSON Lines files
// beside the main document, so a tick appends its few new records instead of rewriting everything (issue 10). This
// module is the pure half: what lines a change appends, and how the lines of a file fold back into the lists the
// document holds in memory. lowdb-store.ts does the file work.

/**
 * A line of history.jsonl: points appended to one basket's history, or with `reset` its whole history (the old one is
 * dropped). One change of one basket is one line, so a line cut short by a crash loses that change and nothing else.
 */
export interface HistoryLine {
  basket: string;
  reset?: true;
  points: RegimePoint[];
}

/**
 * The records appended at the end of `next` relative to `prev` when `next` is `prev` with some oldest records dropped
 * (a bound) and new ones added at the end; undefined when it is not (then the whole list is written again).
 * Records are matched by identity: the store's operations share the records they do not change, and never move one.
 */
export function appendedTail<T>(prev: readonly T[], next: readonly T[]): T[] | undefined {
  if (prev === next) return [];
  if (prev.length === 0) return [...next];
  const anchor = next.lastIndexOf(prev[prev.length - 1]);
  if (anchor < 0) return undefined;
  // The records before the anchor must be the end of prev, in order.
  for (let k = anchor, j = prev.length - 1; k >= 0; k--, j--) if (j < 0 || next[k] !== prev[j]) return undefined;
  return next.slice(anchor + 1);
}

/**
 * Points of a basket's history to append: the points of `next` newer than the newest of `prev`, when the older part
 * of `next` ends where `prev` ends (histories only grow at the end, and are trimmed at the start); undefined when
 * `next` is not a continuation of `prev` (then the basket's history is written again after a reset). Points are
 * matched by time, as the watcher hands the store fresh copies.
 */
export function newHistoryPoints(prev: readonly RegimePoint[], next: readonly RegimePoint[]): RegimePoint[] | undefined {
  if (prev === next) return [];
  if (prev.length === 0) return [...next];
  const lastAt = prev[prev.length - 1].at;
  let k = next.length;
  while (k > 0 && next[k - 1].at > lastAt) k--;
  if (k === 0) return undefined; // nothing of prev is left: a new history (or the bound dropped it all)
  if (next[k - 1].at !== lastAt || k > prev.length) return undefined;
  return next.slice(k);
}

/** The lines to append to history.jsonl for the change `prev` → `next`, over every basket. */
export function historyLines(prev: StoreData['runtime'], next: StoreData['runtime']): HistoryLine[] {
  const lines: HistoryLine[] = [];
  for (const [basket, rt] of Object.entries(next)) {
    const before = Object.hasOwn(prev, basket) ? prev[basket].history : [];
    const added = newHistoryPoints(before, rt.history);
    if (added === undefined) {
      lines.push({ basket, reset: true, points: rt.history });
    } else if (added.length > 0) {
      lines.push({ basket, points: added });
    }
  }
  for (const basket of Object.keys(prev)) {
    if (!Object.hasOwn(next, basket) && prev[basket].history.length > 0) lines.push({ basket, reset: true, points: [] });
  }
  return lines;
}

/** Notification records that are new or changed in `next` (the outbox appends each as a whole). */
export function changedNotifications(prev: readonly NotificationRecord[], next: readonly NotificationRecord[]): NotificationRecord[] {
  if (prev === next) return [];
  const before = new Map(prev.map((n) => [n.id, n]));
  return next.filter((n) => before.get(n.id) !== n);
}

function checked<T>(schema: z.ZodType, value: unknown, file: string, line: number): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new StoreError(
      'corrupt',
      `${file} record ${line} is not a valid record: ${formatIssues(parsed.error)}. Move the file aside to start it empty, or restore it from a copy.`,
    );
  }
  return parsed.data as T;
}

/** Audit entries in file order, each checked (a malformed one is a StoreError `corrupt`). */
export function foldAudit(records: unknown[], file: string): AuditEntry[] {
  return records.map((r, i) => checked<AuditEntry>(auditSchema, r, file, i + 1));
}

/** Notification records: the last version of each id, in the order ids first appeared. */
export function foldOutbox(records: unknown[], file: string): NotificationRecord[] {
  const byId = new Map<string, NotificationRecord>();
  records.forEach((r, i) => {
    const n = checked<NotificationRecord>(notificationSchema, r, file, i + 1);
    byId.set(n.id, n);
  });
  return [...byId.values()];
}

/**
 * Each basket's history from the lines of history.jsonl. History is only for charts and replies: a malformed line or
 * point is skipped and counted, never a reason to refuse the store.
 */
export function foldHistory(records: unknown[]): { histories: Map<string, RegimePoint[]>; skipped: number } {
  const histories = new Map<string, RegimePoint[]>();
  let skipped = 0;
  for (const r of records) {
    const line = r as Partial<{ basket: unknown; points: unknown; reset: unknown }>;
    if (typeof r !== 'object' || r === null || typeof line.basket !== 'string') {
      skipped++;
      continue;
    }
    if (!Array.isArray(line.points)) {
      skipped++;
      continue;
    }
    const list = line.reset === true ? [] : (histories.get(line.basket) ?? []);
    for (const p of line.points) {
      const parsed = regimePointSchema.safeParse(p);
      if (!parsed.success) {
        skipped++;
        continue;
      }
      const point = parsed.data as RegimePoint;
      // Points are appended in time order; one not newer than the last is a duplicate (a replayed append).
      if (list.length > 0 && point.at <= list[list.length - 1].at) continue;
      list.push(point);
    }
    histories.set(line.basket, list);
  }
  return { histories, skipped };
}
