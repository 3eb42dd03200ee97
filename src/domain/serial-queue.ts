/**
 * Runs async tasks one at a time, in the order they were queued. A failed task rejects its own promise only;
 * the tasks after it still run.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queue `task`; resolves or rejects with its result once every earlier task has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}

/**
 * One SerialQueue per key: tasks with the same key run one at a time in order, tasks with different keys
 * concurrently. A key's queue is dropped once it is idle, so the map holds only keys with work in flight.
 */
export class KeyedSerialQueue {
  readonly #queues = new Map<string, { queue: SerialQueue; pending: number }>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.#queues.get(key);
    if (!entry) {
      entry = { queue: new SerialQueue(), pending: 0 };
      this.#queues.set(key, entry);
    }
    const mine = entry;
    mine.pending++;
    const done = () => {
      if (--mine.pending === 0 && this.#queues.get(key) === mine) this.#queues.delete(key);
    };
    return mine.queue.run(task).finally(done);
  }

  /** Resolves when every task queued so far, of every key, has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.#queues.values()].map((e) => e.queue.idle()));
  }

  /** Keys with a task queued or running (for tests of the clean-up). */
  get size(): number {
    return this.#queues.size;
  }
}

/** At most `size` tasks run at once; the others wait in the order they came. */
export class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a whole number >= 1, got ${size}`);
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, or give it back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
