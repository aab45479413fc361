import type { AuditLog, AuditOutcome } from '../audit/audit-log.ts';
import type { UsageEventRecord, UsageEventStore, UsageOutcome } from '../storage/ports.ts';

/** Options of the UsageRecorder. */
export interface UsageRecorderOptions {
  /** Also emits one `provider_request` audit event per recorded request. */
  audit?: AuditLog | undefined;
  /** Longest time an event waits in memory before it is written (default 1 s). */
  flushMs?: number;
  /** A batch this large is written at once, without waiting for the timer (default 500). */
  maxBatch?: number;
  /**
   * Most events kept in memory while the database refuses writes (default 100,000); beyond it the oldest are dropped
   * and reported through `onError`, so a dead disk cannot exhaust memory.
   */
  maxQueued?: number;
  onError?: (error: unknown) => void;
}

const AUDIT_OUTCOME: Record<UsageOutcome, AuditOutcome> = {
  ok: 'success',
  client_error: 'failure',
  rate_limited: 'denied',
  upstream_error: 'error',
  internal_error: 'error',
  client_abort: 'failure',
};

/**
 * Usage accounting's writer: one event per proxied request, kept in memory and written to the store in batches (one
 * transaction, one fsync per batch) instead of an fsync'd insert per request. At most `flushMs` of events is
 * unwritten at any time; `close()` on a graceful stop writes the rest. A failed write keeps its events for the next try.
 */
export class UsageRecorder {
  readonly #store: UsageEventStore;
  readonly #audit: AuditLog | undefined;
  readonly #maxBatch: number;
  readonly #maxQueued: number;
  readonly #onError: (error: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  #queue: UsageEventRecord[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(store: UsageEventStore, options: UsageRecorderOptions = {}) {
    this.#store = store;
    this.#audit = options.audit;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#onError = options.onError ?? (() => undefined);
    this.#timer = setInterval(() => {
      if (this.#queue.length > 0) this.flush().catch(this.#onError);
    }, options.flushMs ?? 1_000);
    this.#timer.unref();
  }

  /**
   * Queues one request's usage (never waits, never throws) and emits its `provider_request` audit event, which also
   * carries the client address (the usage row does not: accounting is per key, not per address).
   */
  record(event: UsageEventRecord, ip?: string): void {
    this.#queue.push(event);
    if (this.#queue.length > this.#maxQueued) {
      const dropped = this.#queue.length - this.#maxQueued;
      this.#queue.splice(0, dropped);
      this.#onError(new Error(`usage accounting: the store keeps failing; ${dropped} oldest event(s) dropped`));
    }
    this.#emitAudit(event, ip);
    if (this.#queue.length >= this.#maxBatch && !this.#closed) this.flush().catch(this.#onError);
  }

  /** Events waiting to be written. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Writes everything queued; concurrent calls run one after the other. */
  flush(): Promise<void> {
    // A failed earlier flush was reported to its caller; it must not stop this one.
    this.#flushing = this.#flushing.catch(() => undefined).then(async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          await this.#store.insertMany(batch);
        } catch (error) {
          // Back to the front, in order: the next flush retries them (inserts are idempotent per request id).
          this.#queue.unshift(...batch);
          throw error;
        }
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is left (graceful stop). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  #emitAudit(event: UsageEventRecord, ip: string | undefined): void {
    if (this.#audit === undefined) return;
    try {
      this.#audit.record({
        type: 'provider_request',
        actor: event.keyId === null ? 'anonymous' : `key:${event.keyId}`,
        ip,
        requestId: event.requestId,
        outcome: AUDIT_OUTCOME[event.outcome],
        // Ids, counts and codes only: never prompt text, never a credential.
        details: {
          provider: event.providerId,
          credentialId: event.credentialId,
          model: event.modelUpstream ?? event.modelRequested,
          modelRequested: event.modelRequested,
          route: event.route,
          status: event.status,
          result: event.outcome,
          inputTokens: event.inputTokens,
          outputTokens: event.outputTokens,
          cachedTokens: event.cachedTokens,
          reasoningTokens: event.reasoningTokens,
          estimated: event.estimated,
          latencyMs: event.latencyMs,
        },
      });
    } catch (error) {
      // record() must not throw by contract; a broken sink still must not fail the request.
      this.#onError(error);
    }
  }
}
