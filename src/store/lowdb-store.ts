import { resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import { DocumentStore } from './document-store.js';
import { StoreError } from './errors.js';
import { ensureDir, readTextIfExists, removeQuietly } from './file-io.js';
import type { StoreOptions } from './options.js';
import { parseDocument } from './parse-document.js';
import { storeFilePath, tempFilePath } from './paths.js';
import type { StoreData } from './types.js';

/** Files held open by a LowdbStore of this process: two instances on one file would lose each other's writes. */
const openFiles = new Set<string>();

/**
 * The store as one JSON file, `<dataDir>/corrwatch.json`, written with lowdb. Each write replaces the whole file
 * atomically (steno writes a temporary file beside it, then renames it over the old one), one write at a time.
 * A file that cannot be read as a corrwatch store is refused at `open` and never written over; see `moveAside`.
 * One instance per data directory and process (a second one's `open` throws); other processes are not locked out.
 */
export class LowdbStore extends DocumentStore {
  readonly location: string;
  readonly #dataDir: string;
  #db: Low<StoreData> | undefined;

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
    this.#db ??= new Low<StoreData>(new DataFile<StoreData>(this.location, { parse: JSON.parse, stringify: (d) => JSON.stringify(d) + '\n' }), data);
    this.#db.data = data;
    try {
      await this.#db.write();
    } catch (e) {
      await removeQuietly(tempFilePath(this.location));
      throw new StoreError(
        'io',
        `cannot write ${this.location}: ${(e as Error).message}. The file still holds the previous state; this change was not saved.`,
        { cause: e },
      );
    }
  }

  protected override async release(): Promise<void> {
    this.#db = undefined;
    openFiles.delete(resolve(this.location));
  }
}
