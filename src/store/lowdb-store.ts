import { resolve } from 'node:path';
import { TextFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import { rotateBackups } from './backups.js';
import { DocumentStore } from './document-store.js';
import { StoreError } from './errors.js';
import { ensureDir, readTextIfExists, removeQuietly } from './file-io.js';
import type { StoreOptions } from './options.js';
import { appendJsonl, fileStamp, readJsonl, rewriteJsonl, type JsonlContent } from './jsonl-file.js';
import { moveFileAside } from './move-aside.js';
import { boundNotifications, keepNewest } from './operations.js';
import { parseDocument } from './parse-document.js';
import { sideFilePath, SIDE_FILES, storeFilePath, tempFilePath, type SideFile } from './paths.js';
import { appendedTail, changedNotifications, foldAudit, foldHistory, foldOutbox, historyLines, type HistoryLine } from './side-records.js';
import type { StoreData } from './types.js';

// proper-lockfile releases its locks on exit through signal-exit, which listens to SIGXFSZ among other signals and,
// when it is the only listener, re-raises the signal: a write over the file-size limit would then kill the process
// instead of failing with EFBIG (which Node gives, as it ignores SIGXFSZ). A listener of our own keeps Node's
// behaviour: the write fails, the store reports it, the previous file stays whole (test/store/lowdb-store-crash).
process.on('SIGXFSZ', () => undefined);

/** Files held open by a LowdbStore of this process: two instances on one file would lose each other's writes. */
const openFiles = new Set<string>();

type FileKey = 'main' | SideFile;
const SIDES = Object.keys(SIDE_FILES) as SideFile[];

/** Side files are compacted (rewritten with only the records kept) once they hold this many more lines than that. */
const COMPACT_SLACK = 64;

/**
 * The store as files in the data directory: `corrwatch.json` holds baskets, subscriptions and each basket's runtime
 * state (written with lowdb: steno writes a temporary file beside it, then renames it over the old one); the parts
 * that grow live in append-only JSON Lines files beside it (`history.jsonl`, `outbox.jsonl`, `audit.jsonl`; see
 * side-records.ts), so a tick appends its few new records and rewrites only the small main document: kilobytes, not
 * the whole history. Side files are bounded like the document (StoreOptions) and compacted atomically once they hold
 * about twice what is kept. A file that cannot be read as a corrwatch store is refused at `open` and never written
 * over; see `moveAside`. One instance per data directory and process (a second one's `open` throws). Several
 * processes share the files (`corrwatch start` and the CLI): each change is made under a lock file (proper-lockfile,
 * `<file>.lock`) on the data as the files hold it then, re-read when another process wrote any of them since, so no
 * one's change is lost; reads re-read them too when they changed.
 */
export class LowdbStore extends DocumentStore {
  readonly location: string;
  readonly #dataDir: string;
  readonly #paths: Record<FileKey, string>;
  /** The main document's writer (lowdb's TextFile: steno's atomic temp-file-and-rename write, one at a time). */
  readonly #mainFile: TextFile;
  /** Each file's stamp as this process last read or wrote it. */
  #stamps: Partial<Record<FileKey, string>> = {};
  /** The document as the files hold it (what the next change is compared against to know what to append). */
  #persisted: StoreData | undefined;
  /** The text of the main document last read or written (an unchanged document is not written again). */
  #mainText: string | undefined;
  /** Lines in each side file, and points in history.jsonl (to know when to compact). */
  #lines: Record<SideFile, number> = { history: 0, outbox: 0, audit: 0 };
  #historyPoints = 0;
  /** Side files to write whole on the next save: after a v2 document (no side files), a torn line or a failed write. */
  readonly #rewrite = new Set<SideFile>();
  /** Told the size and duration of every write (for the store metrics). */
  onWrite?: (bytes: number, seconds: number) => void;
  /** Told of a problem that does not stop the store (skipped history lines, a failed backup). */
  onWarning?: (message: string) => void;
  /** Keep a copy of the files after a write at most this often (ms; default an hour; Infinity = never). */
  backupEveryMs = 3_600_000;
  /** Whether this instance holds its file in `openFiles`. */
  #registered = false;
  /** When the last backup was made (the store's open counts: a short-lived CLI process makes none). */
  #lastBackupAt = Date.now();

  constructor(dataDir: string, opts: StoreOptions = {}) {
    super(opts);
    this.#dataDir = dataDir;
    this.location = storeFilePath(dataDir);
    this.#paths = {
      main: this.location,
      history: sideFilePath(dataDir, 'history'),
      outbox: sideFilePath(dataDir, 'outbox'),
      audit: sideFilePath(dataDir, 'audit'),
    };
    this.#mainFile = new TextFile(this.location);
  }

  protected override async prepare(): Promise<void> {
    const key = resolve(this.location);
    if (openFiles.has(key)) throw new Error(`${this.location} is already open in this process: share that store instead of opening a second one`);
    openFiles.add(key);
    this.#registered = true;
    await ensureDir(this.#dataDir);
  }

  /** Runs under the lock file (DocumentStore.open), so a temporary file found here is no other process's write in progress. */
  protected async load(): Promise<StoreData | undefined> {
    const data = await this.#readAll();
    // Temporary files left by a write that was interrupted (the process died): the files themselves are whole.
    for (const file of Object.values(this.#paths)) await removeQuietly(tempFilePath(file));
    return data;
  }

  /** Read every file and assemble the document (undefined when there is no main document yet). */
  async #readAll(): Promise<StoreData | undefined> {
    for (const k of ['main', ...SIDES] as FileKey[]) this.#stamps[k] = await fileStamp(this.#paths[k]);
    const text = await readTextIfExists(this.location);
    if (text === undefined) {
      // No document: whatever side files are there belong to no store; the first save replaces them.
      for (const side of SIDES) this.#rewrite.add(side);
      this.#persisted = undefined;
      this.#mainText = undefined;
      return undefined;
    }
    const doc = parseDocument(text, this.location);
    const audit = await readJsonl(this.#paths.audit);
    const outbox = await readJsonl(this.#paths.outbox);
    const history = await this.#readHistory();
    for (const [side, content] of [['audit', audit], ['outbox', outbox], ['history', history]] as const) {
      // A document of schema 2 holds everything inline and has no side files: they are written on the first save.
      if (!content || content.tornTail) this.#rewrite.add(side);
      this.#lines[side] = content?.lines ?? 0;
      if (content?.tornTail) this.onWarning?.(`${this.#paths[side]}: its last line was cut short by an interrupted write and is ignored`);
    }
    const data: StoreData = { ...doc };
    if (audit) data.audit = keepNewest(foldAudit(audit.records, this.#paths.audit), this.limits.maxAudit);
    if (outbox) data.notifications = boundNotifications(foldOutbox(outbox.records, this.#paths.outbox), this.limits.maxNotifications);
    if (history) {
      const { histories, skipped } = foldHistory(history.records);
      if (skipped > 0) this.onWarning?.(`${this.#paths.history}: ${skipped} malformed line(s) or point(s) skipped`);
      data.runtime = Object.fromEntries(
        Object.entries(doc.runtime).map(([name, rt]) => [name, { ...rt, history: keepNewest(histories.get(name) ?? [], this.limits.maxHistory) }]),
      );
      this.#historyPoints = history.records.reduce<number>((sum, r) => sum + (Array.isArray((r as { points?: unknown }).points) ? (r as { points: unknown[] }).points.length : 0), 0);
    }
    this.#persisted = data;
    this.#mainText = text;
    return data;
  }

  /**
   * history.jsonl, or undefined when absent. History only feeds charts and replies: a file that cannot be read does
   * not stop the store; it is moved aside (kept, never deleted) with a warning and the history starts again.
   */
  async #readHistory(): Promise<JsonlContent | undefined> {
    try {
      return await readJsonl(this.#paths.history);
    } catch (e) {
      if (!(e instanceof StoreError) || e.code !== 'corrupt') throw e;
      const moved = await moveFileAside(this.#paths.history);
      this.onWarning?.(`${e.message.replace(/ Move the file aside.*$/, '')}; it was moved aside to ${moved} and the regime history starts again`);
      return undefined;
    }
  }

  protected async persist(data: StoreData): Promise<void> {
    const t0 = performance.now();
    let bytes = 0;
    try {
      bytes += await this.#saveAudit(data);
      bytes += await this.#saveOutbox(data);
      bytes += await this.#saveHistory(data);
      bytes += await this.#saveMain(data);
    } catch (e) {
      // The side files may hold part of this change: write them whole on the next save, and take their state now as
      // this process's own, so a read does not load the part of the change that failed.
      for (const side of SIDES) this.#rewrite.add(side);
      for (const k of ['main', ...SIDES] as FileKey[]) this.#stamps[k] = await fileStamp(this.#paths[k]).catch(() => this.#stamps[k]);
      if (e instanceof StoreError) throw e;
      throw new StoreError(
        'io',
        `cannot write ${this.location}: ${(e as Error).message}. The file still holds the previous state; this change was not saved.`,
        { cause: e },
      );
    }
    this.#persisted = data;
    this.onWrite?.(bytes, (performance.now() - t0) / 1000);
    await this.#maybeBackup();
  }

  /** A document replacing the stored one (an import): every side file written whole, none appended to. */
  protected override async persistWhole(data: StoreData): Promise<void> {
    for (const side of SIDES) this.#rewrite.add(side);
    await this.persist(data);
  }

  async #saveAudit(data: StoreData): Promise<number> {
    const prev = this.#persisted?.audit;
    const tail = prev && !this.#rewrite.has('audit') ? appendedTail(prev, data.audit) : undefined;
    if (tail && this.#lines.audit + tail.length <= 2 * data.audit.length + COMPACT_SLACK) return this.#append('audit', tail);
    return this.#rewriteSide('audit', data.audit);
  }

  async #saveOutbox(data: StoreData): Promise<number> {
    const prev = this.#persisted?.notifications;
    if (prev && !this.#rewrite.has('outbox')) {
      const changed = changedNotifications(prev, data.notifications);
      if (this.#lines.outbox + changed.length <= 2 * data.notifications.length + COMPACT_SLACK) return this.#append('outbox', changed);
    }
    return this.#rewriteSide('outbox', data.notifications);
  }

  async #saveHistory(data: StoreData): Promise<number> {
    const kept = Object.values(data.runtime).reduce((sum, rt) => sum + rt.history.length, 0);
    const prev = this.#persisted?.runtime;
    if (prev && !this.#rewrite.has('history')) {
      const lines = historyLines(prev, data.runtime);
      const added = lines.reduce((sum, l) => sum + ('points' in l ? l.points.length : 0), 0);
      if (this.#historyPoints + added <= 2 * kept + 16 * COMPACT_SLACK) {
        const bytes = await this.#append('history', lines);
        this.#historyPoints += added;
        return bytes;
      }
    }
    const whole: HistoryLine[] = Object.entries(data.runtime)
      .filter(([, rt]) => rt.history.length > 0)
      .map(([basket, rt]) => ({ basket, reset: true, points: rt.history }));
    const bytes = await this.#rewriteSide('history', whole);
    this.#historyPoints = kept;
    return bytes;
  }

  async #append(side: SideFile, records: unknown[]): Promise<number> {
    if (records.length === 0) return 0;
    const bytes = await appendJsonl(this.#paths[side], records);
    this.#lines[side] += records.length;
    this.#stamps[side] = await fileStamp(this.#paths[side]);
    return bytes;
  }

  async #rewriteSide(side: SideFile, records: unknown[]): Promise<number> {
    if (records.length === 0 && (await fileStamp(this.#paths[side])) === undefined) {
      // Nothing to keep and no file: none is created (a store with no history has no history.jsonl).
      this.#lines[side] = 0;
      this.#rewrite.delete(side);
      this.#stamps[side] = undefined;
      return 0;
    }
    const bytes = await rewriteJsonl(this.#paths[side], records);
    this.#lines[side] = records.length;
    this.#rewrite.delete(side);
    this.#stamps[side] = await fileStamp(this.#paths[side]);
    return bytes;
  }

  /** The main document without what the side files hold; written only when it changed. */
  async #saveMain(data: StoreData): Promise<number> {
    const slim: StoreData = {
      ...data,
      notifications: [],
      audit: [],
      runtime: Object.fromEntries(Object.entries(data.runtime).map(([name, rt]) => [name, { ...rt, history: [] }])),
    };
    // Compact JSON: half the bytes of indented JSON.
    const text = JSON.stringify(slim) + '\n';
    if (text === this.#mainText && this.#stamps.main !== undefined) return 0;
    try {
      await this.#mainFile.write(text);
    } catch (e) {
      await removeQuietly(tempFilePath(this.location));
      throw new StoreError(
        'io',
        `cannot write ${this.location}: ${(e as Error).message}. The file still holds the previous state; this change was not saved.`,
        { cause: e },
      );
    }
    this.#mainText = text;
    this.#stamps.main = await fileStamp(this.location);
    return Buffer.byteLength(text);
  }

  /** A copy of the main document and of the outbox and audit files, as `<file>.bak-1` (three kept), at most every backupEveryMs. */
  async #maybeBackup(): Promise<void> {
    if (Date.now() - this.#lastBackupAt < this.backupEveryMs) return;
    this.#lastBackupAt = Date.now();
    try {
      await rotateBackups(this.location);
      for (const side of ['outbox', 'audit'] as const) if (this.#stamps[side] !== undefined) await rotateBackups(this.#paths[side]);
    } catch (e) {
      // A backup that cannot be made never fails the write it follows; the next one tries again.
      this.onBackupError?.(e as Error);
    }
  }

  /** Told when a backup could not be made. */
  onBackupError?: (e: Error) => void;

  protected override async reloadIfChanged(): Promise<StoreData | undefined> {
    let changed = false;
    for (const k of ['main', ...SIDES] as FileKey[]) if ((await fileStamp(this.#paths[k])) !== this.#stamps[k]) changed = true;
    if (!changed) return undefined;
    if ((await fileStamp(this.location)) === undefined) return undefined;
    return this.#readAll();
  }

  protected override async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    let unlock: () => Promise<void>;
    try {
      // The lock is a directory beside the file; a holder that died leaves it stale after 10 s (its mtime is
      // refreshed while held). A writer waits for up to about 15 s.
      unlock = await lockfile.lock(this.location, { realpath: false, stale: 10_000, retries: { retries: 60, minTimeout: 20, maxTimeout: 250 } });
    } catch (e) {
      throw new StoreError('io', `cannot lock ${this.location} for writing: ${(e as Error).message}. Another corrwatch process may be stuck writing it.`, { cause: e });
    }
    try {
      return await fn();
    } finally {
      await unlock().catch(() => undefined);
    }
  }

  protected override async release(): Promise<void> {
    this.#persisted = undefined;
    this.#mainText = undefined;
    this.#stamps = {};
    // Only the instance that registered the file unregisters it (a second instance refused by `prepare` does not).
    if (this.#registered) openFiles.delete(resolve(this.location));
    this.#registered = false;
  }
}
