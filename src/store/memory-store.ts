import { DocumentStore } from './document-store.js';
import type { StoreOptions } from './options.js';
import type { StoreData } from './types.js';

/**
 * A Store kept in memory, for tests of other modules. It behaves as LowdbStore does (same operations, limits,
 * copies and JSON checks: a value LowdbStore would reject is rejected here too); closing and opening the same
 * instance again finds the data as it was, as re-opening the file would.
 */
export class MemoryStore extends DocumentStore {
  readonly location = 'memory';
  #saved: StoreData | undefined;

  constructor(opts: StoreOptions = {}) {
    super(opts);
  }

  protected async load(): Promise<StoreData | undefined> {
    return this.#saved;
  }

  protected async persist(data: StoreData): Promise<void> {
    // The operations never modify a document, so keeping the reference is safe.
    this.#saved = data;
  }
}
