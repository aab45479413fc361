/** The outcome of a database write probe: a failure names an error code only, never a path or message. */
export type WriteProbeResult = { ok: true } | { ok: false; code: string };

/** How long one probe's outcome is reused: health endpoints are public, so each request must not cost an fsync. */
export const WRITE_PROBE_TTL_MS = 1_000;

/**
 * Runs a real write against the database at most once per `ttlMs`, whatever the request rate; concurrent callers
 * share the probe in flight. The answer is never older than `ttlMs` plus one probe.
 */
export class WriteProbe {
  readonly #probe: () => Promise<void>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #last: { at: number; result: WriteProbeResult } | undefined;
  #inFlight: Promise<WriteProbeResult> | undefined;

  constructor(probe: () => Promise<void>, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#probe = probe;
    this.#ttlMs = options.ttlMs ?? WRITE_PROBE_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the database took a write just now (or within the last `ttlMs`). */
  check(): Promise<WriteProbeResult> {
    const last = this.#last;
    if (last !== undefined && this.#now() - last.at < this.#ttlMs) return Promise.resolve(last.result);
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #run(): Promise<WriteProbeResult> {
    let result: WriteProbeResult;
    try {
      await this.#probe();
      result = { ok: true };
    } catch (error) {
      result = { ok: false, code: errorCode(error) };
    }
    this.#last = { at: this.#now(), result };
    return result;
  }
}

/** A short, data-free name for a probe failure: SQLite/Node codes (`SQLITE_FULL`, `EROFS`), else a fixed word. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : 'WRITE_FAILED';
}
