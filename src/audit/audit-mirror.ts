import type { AuditEventStore } from '../storage/ports.ts';
import type { AuditRecord } from './audit-log.ts';
import type { AuditFileIo } from './audit-io.ts';
import { parseRecordLine } from './audit-record.ts';
import { StringDecoder } from 'node:string_decoder';

const CHUNK = 1024 * 1024;
const INSERT_BATCH = 500;

/**
 * Reads every record of audit.jsonl in order, chunk by chunk (never the whole file at once), handing each valid line
 * to `visit`. Lines that do not parse are skipped here: only `rampart audit verify` judges the file.
 */
export async function forEachRecord(io: AuditFileIo, size: number, visit: (record: AuditRecord) => Promise<void>): Promise<void> {
  let position = 0;
  let carry = '';
  // A multi-byte character may straddle two chunks; the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  while (position < size) {
    const chunk = await io.read(position, Math.min(CHUNK, size - position));
    if (chunk.length === 0) break;
    position += chunk.length;
    const text = carry + decoder.write(chunk);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseRecordLine(line);
      if (parsed.ok) await visit(parsed.record);
    }
  }
}

/**
 * Brings the database table up to `upTo` from the file: rows after the table's last index are inserted. The table
 * is an index of the file, so it is caught up after a crash between the file's fsync and the insert, or after the
 * database was unwritable for a while.
 */
export async function catchUpMirror(store: AuditEventStore, io: AuditFileIo, size: number, upTo: number): Promise<void> {
  const from = await store.lastIndex();
  if (from >= upTo) return;
  let pending: AuditRecord[] = [];
  await forEachRecord(io, size, async (record) => {
    if (record.index <= from || record.index > upTo) return;
    pending.push(record);
    if (pending.length >= INSERT_BATCH) {
      await store.append(pending);
      pending = [];
    }
  });
  await store.append(pending);
}

/** How long records may wait for the table, and how many: the file is the record; the table only indexes it. */
const MIRROR_INTERVAL_MS = 250;
const MIRROR_MAX_PENDING = 2000;

/**
 * Collects written records for the database table and inserts them in one transaction per interval rather than
 * one per file batch: each SQLite commit is an fsync on the event loop, and the file (already fsync'd) is the record.
 * Rows another process inserted meanwhile (its own catch-up) are skipped; a gap is caught up from the file.
 */
export class MirrorBuffer {
  readonly #store: AuditEventStore;
  readonly #io: AuditFileIo;
  readonly #onProblem: ((message: string, code: string) => void) | undefined;
  #pending: AuditRecord[] = [];
  #since: number | undefined;

  constructor(store: AuditEventStore, io: AuditFileIo, onProblem?: (message: string, code: string) => void) {
    this.#store = store;
    this.#io = io;
    this.#onProblem = onProblem;
  }

  add(records: readonly AuditRecord[]): void {
    if (records.length === 0) return;
    this.#pending.push(...records);
    this.#since ??= Date.now();
  }

  /** Whether records wait; `due` says whether they waited long enough (or are many enough) to be written now. */
  pending(): boolean {
    return this.#pending.length > 0;
  }

  due(now: number): boolean {
    return this.#since !== undefined && (this.#pending.length >= MIRROR_MAX_PENDING || now - this.#since >= MIRROR_INTERVAL_MS);
  }

  /** Milliseconds until the pending records are due (0 when due or none wait). */
  wait(now: number): number {
    return this.#since === undefined ? 0 : Math.max(0, MIRROR_INTERVAL_MS - (now - this.#since));
  }

  /** Inserts what waits; `fileSize` bounds a catch-up read. A failure is reported and caught up from the file later. */
  async flush(fileSize: number): Promise<void> {
    const records = this.#pending;
    this.#pending = [];
    this.#since = undefined;
    const first = records[0];
    if (first === undefined) return;
    try {
      const last = await this.#store.lastIndex();
      const fresh = records.filter((r) => r.index > last);
      const head = fresh[0];
      if (head === undefined) return;
      if (head.index - 1 > last) await catchUpMirror(this.#store, this.#io, fileSize, head.index - 1);
      await this.#store.append(fresh);
    } catch (error) {
      this.#onProblem?.('audit table insert failed; it is caught up from audit.jsonl on the next write', (error as NodeJS.ErrnoException).code ?? 'ERROR');
    }
  }
}
