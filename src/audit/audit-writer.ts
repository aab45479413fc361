import type { AuditEventStore } from '../storage/ports.ts';
import { type AuditEventInput, type AuditLog, type AuditRecord, type AuditSinkStatus, AuditUnavailableError } from './audit-log.ts';
import { AuditIntegrityError, type ChainState, loadChainState, report } from './audit-chain.ts';
import { type AuditPaths, ensureAuditDir } from './audit-files.ts';
import { type AuditFileIo, NodeAuditFileIo } from './audit-io.ts';
import { buildBatch, checkpointDue, errorCode } from './audit-batch.ts';
import { loadOrCreateSigningKey, SecretFingerprinter, type SigningKey } from './audit-keys.ts';
import { AuditLock } from './audit-lock.ts';
import { MirrorBuffer, catchUpMirror } from './audit-mirror.ts';
import { normaliseEvent, recordLine } from './audit-record.ts';
import { formatHead } from './audit-tail.ts';

/** Settings of the writer (config `audit:` plus injectable parts for tests). */
export interface AuditWriterOptions {
  paths: AuditPaths;
  /** The database mirror; none in tests that only look at the file. */
  store?: AuditEventStore | undefined;
  writeTimeoutMs: number;
  flushIntervalMs: number;
  batchSize: number;
  maxQueuedEvents: number;
  checkpoint: { everyRecords: number; everySeconds: number };
  /** File operations; the real files by default. Tests inject failing or hanging ones. */
  io?: AuditFileIo;
  /** Told once per problem (error code + a line without data), for the process log. */
  onProblem?: (message: string, code: string) => void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  settled: boolean;
  inFlight: boolean;
}

interface Pending {
  event: AuditEventInput;
  waiter?: Waiter;
}

interface Failure {
  since: Date;
  code: string;
  attempts: number;
}

const MAX_BACKOFF_MS = 2_000;

/**
 * The hash-chained audit log (docs/audit.md): events are queued, then written in groups — one positioned write +
 * fsync of audit.jsonl, a signed head file, one database transaction — under a cross-process lock. While the sink
 * fails, queued events stay in memory up to `maxQueuedEvents`; more are dropped and counted, and the first batch
 * written after recovery starts with an `audit_sink_failure` record saying what was lost and why.
 */
export class AuditWriter implements AuditLog {
  readonly #options: AuditWriterOptions;
  readonly #io: AuditFileIo;
  readonly #lock: AuditLock;
  readonly #key: SigningKey;
  readonly #fingerprinter: SecretFingerprinter;
  readonly #listeners = new Set<(record: AuditRecord) => void>();
  #state: ChainState = { size: 0, lastIndex: -1, lastHash: '', checkpointIndex: -1, checkpointTime: 0 };
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (epoch ms). */
  #timerDue = 0;
  #ticker: NodeJS.Timeout | undefined;
  #failure: Failure | undefined;
  #backoff = 50;
  #dropped = new Map<string, number>();
  /** Offset to cut the file back to before anything else: a batch that failed after writing some bytes. */
  #dirtySize: number | undefined;
  #inFlightSince: number | undefined;
  #closed = false;
  readonly #mirror: MirrorBuffer | undefined;

  private constructor(options: AuditWriterOptions, io: AuditFileIo, lock: AuditLock, key: SigningKey, fingerprinter: SecretFingerprinter) {
    this.#options = options;
    this.#io = io;
    this.#lock = lock;
    this.#key = key;
    this.#fingerprinter = fingerprinter;
    this.#mirror = options.store === undefined ? undefined : new MirrorBuffer(options.store, io, options.onProblem);
  }

  /** Opens the audit directory (creating keys and salt on first use) and resumes the chain from the file's tail. */
  static async open(options: AuditWriterOptions): Promise<AuditWriter> {
    await ensureAuditDir(options.paths.dir);
    const fingerprinter = await SecretFingerprinter.open(options.paths);
    const key = await loadOrCreateSigningKey(options.paths);
    const io = options.io ?? (await NodeAuditFileIo.open(options.paths));
    const lock = new AuditLock(options.paths.lock);
    const writer = new AuditWriter(options, io, lock, key, fingerprinter);
    try {
      await writer.#resume();
    } catch (error) {
      lock.close();
      await io.close();
      throw error;
    }
    return writer;
  }

  async #resume(): Promise<void> {
    await this.#lock.acquire(Date.now() + this.#options.writeTimeoutMs);
    try {
      const { state, reports } = await loadChainState(this.#io, this.#key, Date.now());
      this.#state = state;
      this.#queue.push(...reports.map((event) => ({ event })));
      const store = this.#options.store;
      if (store !== undefined) {
        const dbLast = await store.lastIndex();
        if (dbLast > state.lastIndex) {
          throw new AuditIntegrityError(`the audit table has records up to index ${dbLast} but audit.jsonl ends at ${state.lastIndex}: records were removed`);
        }
        await catchUpMirror(store, this.#io, state.size, state.lastIndex);
      }
    } finally {
      this.#lock.release();
    }
    this.#ticker = setInterval(() => this.#schedule(), this.#options.checkpoint.everySeconds * 1000);
    this.#ticker.unref();
    if (this.#queue.length > 0) this.#schedule(0);
  }

  record(event: AuditEventInput): void {
    if (this.#closed || this.#queue.length >= this.#options.maxQueuedEvents) {
      this.#dropped.set(event.type, (this.#dropped.get(event.type) ?? 0) + 1);
      return;
    }
    this.#queue.push({ event: normaliseEvent(event) });
    this.#schedule();
  }

  recordDurable(event: AuditEventInput): Promise<void> {
    if (this.#closed) return Promise.reject(new AuditUnavailableError('the audit log is closed; the action was refused'));
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { event: normaliseEvent(event) };
      const waiter: Waiter = {
        resolve,
        reject,
        settled: false,
        inFlight: false,
        timer: setTimeout(() => {
          if (waiter.settled) return;
          waiter.settled = true;
          // Not yet handed to the disk: it is taken back, so the log never shows an action that was refused.
          if (!waiter.inFlight) this.#queue = this.#queue.filter((p) => p !== pending);
          reject(new AuditUnavailableError());
        }, this.#options.writeTimeoutMs),
      };
      pending.waiter = waiter;
      this.#queue.push(pending);
      this.#schedule(0);
    });
  }

  healthy(): boolean {
    if (this.#failure !== undefined) return false;
    // A write that takes longer than the timeout is a hung sink, even before it fails.
    return this.#inFlightSince === undefined || Date.now() - this.#inFlightSince <= this.#options.writeTimeoutMs;
  }

  status(): AuditSinkStatus {
    let dropped = 0;
    for (const n of this.#dropped.values()) dropped += n;
    const hung = this.#failure === undefined && !this.healthy();
    return {
      healthy: this.healthy(),
      lastIndex: this.#state.lastIndex,
      queued: this.#queue.length,
      dropped,
      failingSince: this.#failure?.since.toISOString() ?? (hung && this.#inFlightSince !== undefined ? new Date(this.#inFlightSince).toISOString() : undefined),
      lastError: this.#failure?.code ?? (hung ? 'TIMEOUT' : undefined),
    };
  }

  fingerprint(secret: string): string {
    return this.#fingerprinter.fingerprint(secret);
  }

  subscribe(listener: (record: AuditRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Writes what is queued (waiting at most the write timeout), then releases the files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ticker);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const deadline = Date.now() + this.#options.writeTimeoutMs;
    const drain = (async () => {
      await this.#flushing;
      if (this.#queue.length > 0 && this.#failure === undefined) {
        this.#flushing = this.#flush();
        await this.#flushing;
      }
      await this.#mirror?.flush(this.#state.size);
    })();
    // A hung write never settles: wait for it no longer than the write timeout.
    const untilDeadline = () => new Promise((resolve) => setTimeout(resolve, Math.max(1, deadline - Date.now())).unref());
    await Promise.race([drain, untilDeadline()]);
    if (this.#queue.length > 0) this.#options.onProblem?.(`audit log closed with ${this.#queue.length} events unwritten`, this.#failure?.code ?? 'TIMEOUT');
    for (const pending of this.#queue) this.#settle(pending, new AuditUnavailableError());
    this.#queue = [];
    const release = (async () => {
      await drain;
      this.#lock.close();
      await this.#io.close();
    })();
    await Promise.race([release, untilDeadline()]);
  }

  #schedule(delay?: number): void {
    if (this.#closed || this.#flushing !== undefined) return;
    const wait = this.#failure !== undefined ? this.#backoff : (delay ?? this.#options.flushIntervalMs);
    if (this.#timer !== undefined) {
      // A timer set for later (the table's 250 ms) must not hold back an event that is due sooner.
      if (this.#timerDue <= Date.now() + wait) return;
      clearTimeout(this.#timer);
    }
    this.#timerDue = Date.now() + wait;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flush().finally(() => {
        this.#flushing = undefined;
        // While failing, keep probing even with nothing queued: recovery must not wait for the next event.
        if (this.#queue.length > 0 || this.#failure !== undefined) this.#schedule();
        else if (this.#mirror?.pending() === true) this.#schedule(this.#mirror.wait(Date.now()));
      });
    }, wait);
  }

  async #flush(): Promise<void> {
    for (;;) {
      const batch = this.#queue.splice(0, this.#options.batchSize);
      const due = checkpointDue(this.#state, this.#options.checkpoint, Date.now());
      const failure = this.#failure;
      const dropped = new Map(this.#dropped);
      if (batch.length === 0 && !due && failure === undefined && dropped.size === 0) {
        if (this.#mirror?.due(Date.now()) === true) await this.#mirror.flush(this.#state.size);
        return;
      }
      for (const pending of batch) if (pending.waiter !== undefined) pending.waiter.inFlight = true;
      const prefix = failure === undefined && dropped.size === 0 ? [] : [this.#failureReport(failure, dropped)];
      this.#inFlightSince = Date.now();
      let written: { records: AuditRecord[]; offset: number };
      try {
        written = await this.#commit(prefix, batch.map((p) => p.event));
      } catch (error) {
        this.#fail(error, batch);
        return;
      } finally {
        this.#inFlightSince = undefined;
      }
      // Reported now: keep only what was dropped after the report was made.
      for (const [type, n] of dropped) {
        const left = (this.#dropped.get(type) ?? 0) - n;
        if (left > 0) this.#dropped.set(type, left);
        else this.#dropped.delete(type);
      }
      if (failure !== undefined) {
        this.#failure = undefined;
        this.#backoff = 50;
        this.#options.onProblem?.('audit log writable again', 'RECOVERED');
      }
      const abandoned: number[] = [];
      batch.forEach((pending, i) => {
        const record = written.records[written.offset + i];
        if (pending.waiter?.settled === true && record !== undefined) abandoned.push(record.index);
        this.#settle(pending);
      });
      // A durable write that outlived its caller's timeout: the caller refused the action, so say so in the log.
      if (abandoned.length > 0) this.#queue.unshift({ event: report({ reason: 'durable_write_timeout', refusedActionIndexes: abandoned }) });
      for (const record of written.records) this.#notify(record);
      if (this.#mirror?.due(Date.now()) === true) await this.#mirror.flush(this.#state.size);
      if (this.#queue.length === 0) return;
    }
  }

  /** One group commit. Returns the records written and where the batch's own events start among them. */
  async #commit(prefix: AuditEventInput[], events: AuditEventInput[]): Promise<{ records: AuditRecord[]; offset: number }> {
    if (!this.#lock.held) await this.#lock.acquire(Date.now() + this.#options.writeTimeoutMs);
    let keepLock = false;
    try {
      if (this.#dirtySize !== undefined) {
        await this.#io.truncate(this.#dirtySize);
        this.#dirtySize = undefined;
      }
      let reports: AuditEventInput[] = [];
      if ((await this.#io.size()) !== this.#state.size) {
        // Another process appended since our last batch (or cut a torn line): continue from the file as it is now.
        const loaded = await loadChainState(this.#io, this.#key, Date.now());
        this.#state = loaded.state;
        reports = loaded.reports;
      }
      const batch = buildBatch(this.#state, [...prefix, ...reports, ...events], this.#key, this.#options.checkpoint, new Date());
      const { records } = batch;
      if (records.length === 0) return { records, offset: 0 };
      const data = Buffer.from(`${records.map(recordLine).join('\n')}\n`, 'utf8');
      const position = this.#state.size;
      this.#dirtySize = position;
      await this.#io.append(data, position);
      // The head's rename is the commit point: until it names the batch, a failure cuts the batch off again.
      await this.#io.writeHead(formatHead(batch.head, this.#key));
      this.#dirtySize = undefined;
      this.#state = { size: position + data.length, ...batch.next };
      this.#mirror?.add(records);
      return { records, offset: prefix.length + reports.length };
    } catch (error) {
      if (this.#dirtySize !== undefined) {
        try {
          await this.#io.truncate(this.#dirtySize);
          this.#dirtySize = undefined;
        } catch {
          // Keep the lock: no other writer may chain onto bytes that were never acknowledged.
          keepLock = true;
        }
      }
      throw error;
    } finally {
      if (!keepLock) this.#lock.release();
    }
  }

  #fail(error: unknown, batch: Pending[]): void {
    const code = errorCode(error);
    if (this.#failure === undefined) {
      this.#failure = { since: new Date(), code, attempts: 1 };
      this.#options.onProblem?.('audit log cannot be written', code);
    } else {
      this.#failure.code = code;
      this.#failure.attempts += 1;
    }
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    const unavailable = new AuditUnavailableError();
    // Durable events are not retried: their callers refuse the action now rather than wait out the timeout.
    for (const pending of batch) if (pending.waiter !== undefined) this.#settle(pending, unavailable);
    const retry = batch.filter((pending) => pending.waiter === undefined);
    this.#queue.unshift(...retry);
    const excess = this.#queue.length - this.#options.maxQueuedEvents;
    if (excess > 0) for (const pending of this.#queue.splice(this.#options.maxQueuedEvents, excess)) this.#drop(pending);
  }

  #drop(pending: Pending): void {
    this.#dropped.set(pending.event.type, (this.#dropped.get(pending.event.type) ?? 0) + 1);
    this.#settle(pending, new AuditUnavailableError());
  }

  /** What the failure (if any) cost: written as the first record once writing works again. */
  #failureReport(failure: Failure | undefined, droppedByType: Map<string, number>): AuditEventInput {
    let dropped = 0;
    for (const n of droppedByType.values()) dropped += n;
    const byType = Object.fromEntries([...droppedByType.entries()].sort(([a], [b]) => a.localeCompare(b)));
    if (failure === undefined) return report({ reason: 'queue_full', dropped, droppedByType: byType });
    return report({ reason: 'write_failed', error: failure.code, failingSince: failure.since.toISOString(), failedAttempts: failure.attempts, dropped, droppedByType: byType });
  }

  #settle(pending: Pending, error?: Error): void {
    const waiter = pending.waiter;
    if (waiter === undefined || waiter.settled) return;
    waiter.settled = true;
    clearTimeout(waiter.timer);
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  #notify(record: AuditRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        // A subscriber's bug must not stop the log or the other subscribers.
        this.#options.onProblem?.('audit subscriber threw', errorCode(error));
      }
    }
  }
}
