/**
 * Runs tasks one at a time per key, in call order, within this process. Tasks of different keys run concurrently.
 * Each key's entry is dropped when its queue drains, so idle keys cost nothing.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let unlock!: () => void;
    const done = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    // The tail only ever resolves (a failed task must not wedge the key for everyone after it).
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      unlock();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Keys with a task running or queued (for tests and metrics). */
  get size(): number {
    return this.#tails.size;
  }
}
