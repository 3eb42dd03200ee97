/**
 * The order a store's calls take effect in, within one process: each call sees every write called before it, and a
 * write waits for every call before it (so `put` then `list`, not awaited in between, lists what was put, as with the
 * lowdb store's queue). Reads called one after another without a write between them run concurrently, each on its own
 * pooled connection. A failed call rejects its own promise only.
 */
export class CallOrder {
  #lastWrite: Promise<unknown> = Promise.resolve();
  readonly #readsSinceWrite = new Set<Promise<unknown>>();

  read<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#lastWrite.then(task);
    const settled: Promise<unknown> = result.then(
      () => this.#readsSinceWrite.delete(settled),
      () => this.#readsSinceWrite.delete(settled),
    );
    this.#readsSinceWrite.add(settled);
    return result;
  }

  write<T>(task: () => Promise<T>): Promise<T> {
    const before = Promise.all([this.#lastWrite, ...this.#readsSinceWrite]);
    this.#readsSinceWrite.clear();
    const result = before.then(task);
    this.#lastWrite = result.catch(() => undefined);
    return result;
  }
}
