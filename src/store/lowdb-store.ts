import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import { rotateBackups } from './backups.js';
import { DocumentStore } from './document-store.js';
import { StoreError } from './errors.js';
import { ensureDir, readTextIfExists, removeQuietly } from './file-io.js';
import type { StoreOptions } from './options.js';
import { parseDocument } from './parse-document.js';
import { storeFilePath, tempFilePath } from './paths.js';
import type { StoreData } from './types.js';

// proper-lockfile releases its locks on exit through signal-exit, which listens to SIGXFSZ among other signals and,
// when it is the only listener, re-raises the signal: a write over the file-size limit would then kill the process
// instead of failing with EFBIG (which Node gives, as it ignores SIGXFSZ). A listener of our own keeps Node's
// behaviour: the write fails, the store reports it, the previous file stays whole (test/store/lowdb-store-crash).
process.on('SIGXFSZ', () => undefined);

/** Files held open by a LowdbStore of this process: two instances on one file would lose each other's writes. */
const openFiles = new Set<string>();

/**
 * What identifies one version of the file: every write replaces it by a rename, so a new inode, with its own mtime
 * and size. undefined when there is no file.
 */
async function stampOf(file: string): Promise<string | undefined> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('io', `cannot read ${file}: ${(e as Error).message}. The file was left untouched; check its permissions.`, { cause: e });
  }
}

/**
 * The store as one JSON file, `<dataDir>/corrwatch.json`, written with lowdb. Each write replaces the whole file
 * atomically (steno writes a temporary file beside it, then renames it over the old one), one write at a time.
 * A file that cannot be read as a corrwatch store is refused at `open` and never written over; see `moveAside`.
 * One instance per data directory and process (a second one's `open` throws). Several processes share the file
 * (`corrwatch start` and the CLI): each change is made under a lock file (proper-lockfile, `<file>.lock`) on the
 * document as the file holds it then, re-read when another process wrote it since, so no one's change is lost; reads
 * re-read it too when it changed.
 */
export class LowdbStore extends DocumentStore {
  readonly location: string;
  readonly #dataDir: string;
  #db: Low<StoreData> | undefined;
  /** stampOf the file as this process last read or wrote it. */
  #stamp: string | undefined;
  #lastBytes = 0;
  /** Told the size and duration of every write (for the store metrics). */
  onWrite?: (bytes: number, seconds: number) => void;
  /** Keep a copy of the file after a write at most this often (ms; default an hour; Infinity = never). */
  backupEveryMs = 3_600_000;
  /** When the last backup was made (the store's open counts: a short-lived CLI process makes none). */
  #lastBackupAt = Date.now();

  constructor(dataDir: string, opts: StoreOptions = {}) {
    super(opts);
    this.#dataDir = dataDir;
    this.location = storeFilePath(dataDir);
  }

  protected async load(): Promise<StoreData | undefined> {
    const key = resolve(this.location);
    if (openFiles.has(key)) throw new Error(`${this.location} is already open in this process: share that store instead of opening a second one`);
    openFiles.add(key);
    try {
      await ensureDir(this.#dataDir);
      this.#stamp = await stampOf(this.location);
      const text = await readTextIfExists(this.location);
      const data = text === undefined ? undefined : parseDocument(text, this.location);
      // A temporary file left by a write that was interrupted (the process died): the file itself is whole.
      await removeQuietly(tempFilePath(this.location));
      return data;
    } catch (e) {
      openFiles.delete(key);
      throw e;
    }
  }

  protected async persist(data: StoreData): Promise<void> {
    // lowdb's JSONFilePreset is not used: it keeps data in memory only when NODE_ENV=test.
    // Compact JSON: the document holds regime histories and the outbox, and every tick rewrites it, so half the bytes
    // of indented JSON is half the write time (measured: ~100 ms for 8 MB indented at the default limits).
    const stringify = (d: StoreData) => {
      const text = JSON.stringify(d) + '\n';
      this.#lastBytes = Buffer.byteLength(text);
      return text;
    };
    this.#db ??= new Low<StoreData>(new DataFile<StoreData>(this.location, { parse: JSON.parse, stringify }), data);
    this.#db.data = data;
    try {
      const t0 = performance.now();
      await this.#db.write();
      this.onWrite?.(this.#lastBytes, (performance.now() - t0) / 1000);
      this.#stamp = await stampOf(this.location);
      await this.#maybeBackup();
    } catch (e) {
      await removeQuietly(tempFilePath(this.location));
      throw new StoreError(
        'io',
        `cannot write ${this.location}: ${(e as Error).message}. The file still holds the previous state; this change was not saved.`,
        { cause: e },
      );
    }
  }

  /** A copy of the file just written, as `corrwatch.json.bak-1` (the last three kept), at most every backupEveryMs. */
  async #maybeBackup(): Promise<void> {
    if (Date.now() - this.#lastBackupAt < this.backupEveryMs) return;
    this.#lastBackupAt = Date.now();
    try {
      await rotateBackups(this.location);
    } catch (e) {
      // A backup that cannot be made never fails the write it follows; the next one tries again.
      this.onBackupError?.(e as Error);
    }
  }

  /** Told when a backup could not be made. */
  onBackupError?: (e: Error) => void;

  protected override async reloadIfChanged(): Promise<StoreData | undefined> {
    const now = await stampOf(this.location);
    if (now === this.#stamp || now === undefined) return undefined;
    const text = await readTextIfExists(this.location);
    if (text === undefined) return undefined;
    const data = parseDocument(text, this.location);
    this.#stamp = now;
    return data;
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
    this.#db = undefined;
    openFiles.delete(resolve(this.location));
  }
}
