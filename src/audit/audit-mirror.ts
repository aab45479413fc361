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
