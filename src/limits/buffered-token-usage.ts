import type { TokenUsageStore } from '../storage/ports.ts';

/**
 * A TokenUsageStore that keeps each key's monthly total in memory and writes the increments to the real store in
 * batches. Quota checks and usage recording run on every request; a database read and an fsync'd write per request
 * would dominate the proxy's cost. The in-memory total is authoritative in this process (it starts from the stored
 * total on first use); at most `flushMs` of usage is unwritten at any time, and `flush()` on shutdown writes the rest.
 */
export class BufferedTokenUsage implements TokenUsageStore {
  readonly #inner: TokenUsageStore;
  readonly #totals = new Map<string, Promise<number> | number>();
  readonly #pending = new Map<string, { keyId: string; month: string; tokens: number }>();
  readonly #timer: NodeJS.Timeout;
  readonly #onError: (error: unknown) => void;
  #flushing: Promise<void> = Promise.resolve();

  constructor(inner: TokenUsageStore, options: { flushMs?: number; onError?: (error: unknown) => void } = {}) {
    this.#inner = inner;
    this.#onError = options.onError ?? (() => undefined);
    this.#timer = setInterval(() => {
      this.flush().catch(this.#onError);
    }, options.flushMs ?? 1_000);
    this.#timer.unref();
  }

  async get(keyId: string, month: string): Promise<number> {
    const id = `${keyId}\u0000${month}`;
    const known = this.#totals.get(id);
    if (known !== undefined) return known;
    const loading = this.#inner.get(keyId, month);
    this.#totals.set(id, loading);
    const total = await loading;
    // Increments recorded while the stored total was loading were added on top of the promise: keep them.
    const now = this.#totals.get(id);
    if (now === loading) this.#totals.set(id, total);
    return typeof now === 'number' ? now : total;
  }

  async add(keyId: string, month: string, tokens: number): Promise<number> {
    const id = `${keyId}\u0000${month}`;
    await this.get(keyId, month);
    // Read after the load settled, synchronously: concurrent adds each see the previous one's total.
    const total = (this.#totals.get(id) as number) + tokens;
    this.#totals.set(id, total);
    const queued = this.#pending.get(id);
    if (queued) queued.tokens += tokens;
    else this.#pending.set(id, { keyId, month, tokens });
    return total;
  }

  /** Writes every queued increment; concurrent calls run one after the other. */
  flush(): Promise<void> {
    // A failed earlier flush was reported to its caller; it must not stop this one.
    this.#flushing = this.#flushing.catch(() => undefined).then(async () => {
      const batch = [...this.#pending.values()];
      this.#pending.clear();
      for (const entry of batch) {
        try {
          await this.#inner.add(entry.keyId, entry.month, entry.tokens);
        } catch (error) {
          // Put it back so the next flush retries; usage is never dropped on a transient failure.
          const id = `${entry.keyId}\u0000${entry.month}`;
          const queued = this.#pending.get(id);
          if (queued) queued.tokens += entry.tokens;
          else this.#pending.set(id, entry);
          throw error;
        }
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
