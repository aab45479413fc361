import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { AuditEventStore } from '../storage/ports.ts';
import type { AuditRecord } from './audit-log.ts';
import type { AuditPaths } from './audit-files.ts';
import { checkpointMessage, type VerifyingKey, verifyMessage } from './audit-keys.ts';
import { canonicalJson, GENESIS_HASH, parseRecordLine } from './audit-record.ts';
import { type AuditHead, parseHead } from './audit-tail.ts';

/** One finding; `index` is the chain position it concerns (null for the head file as a whole). */
export interface VerifyProblem {
  index: number | null;
  kind: 'malformed' | 'edited' | 'sequence' | 'link' | 'checkpoint' | 'truncated' | 'torn' | 'head' | 'table';
  message: string;
}

/** What `rampart audit verify` found. */
export interface VerifyReport {
  ok: boolean;
  records: number;
  checkpoints: number;
  /** Index and hash of the last record read from the file (-1 / genesis when empty). */
  lastIndex: number;
  lastHash: string;
  head: AuditHead | undefined;
  keyId: string;
  /** The first chain position that is not as written, or null when intact. */
  firstBadIndex: number | null;
  problems: VerifyProblem[];
  /** Observations that are not tampering (the table lagging behind the file after a crash). */
  notes: string[];
}

/** Findings kept in the report; the walk goes on to the end regardless. */
const MAX_PROBLEMS = 50;
const CHUNK = 1024 * 1024;
const TABLE_PAGE = 1000;

/** Yields every newline-terminated line of the file, then (as `torn`) bytes after the last newline, if any. */
async function* readLines(file: string): AsyncGenerator<{ line: string; torn: boolean }> {
  const handle = await open(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(CHUNK);
    let carry = '';
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const lines = (carry + decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) yield { line, torn: false };
    }
    carry += decoder.end();
    if (carry.length > 0) yield { line: carry, torn: true };
  } finally {
    await handle.close();
  }
}

/** Reads the table page by page alongside the file. */
class TableCursor {
  readonly #store: AuditEventStore;
  #page = new Map<number, AuditRecord>();
  #pageEnd = -1;

  constructor(store: AuditEventStore) {
    this.#store = store;
  }

  async get(index: number): Promise<AuditRecord | undefined> {
    if (index > this.#pageEnd || index < this.#pageEnd - TABLE_PAGE) {
      const rows = await this.#store.range(index, TABLE_PAGE);
      this.#page = new Map(rows.map((row) => [row.index, row]));
      this.#pageEnd = index + TABLE_PAGE - 1;
    }
    return this.#page.get(index);
  }
}

function sameRecord(a: AuditRecord, b: AuditRecord): boolean {
  const shape = (r: AuditRecord) => canonicalJson({ ...r, ip: r.ip ?? null, requestId: r.requestId ?? null, details: r.details ?? {} });
  return shape(a) === shape(b);
}

/**
 * Walks audit.jsonl from the first record: each line must be canonical, hash to its `hash`, carry the next index and
 * link to its predecessor; checkpoints must be signed by `key` over the chain they follow; the signed head file must
 * name a record the file still has; and with `store`, every row of the table must equal its line.
 */
export async function verifyAuditLog(paths: AuditPaths, key: VerifyingKey, store?: AuditEventStore): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const problem = (index: number | null, kind: VerifyProblem['kind'], message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ index, kind, message });
  };
  let head: AuditHead | undefined;
  let headText: string | undefined;
  try {
    const handle = await open(paths.head, 'r');
    headText = await handle.readFile('utf8').finally(() => handle.close());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (headText !== undefined) {
    const parsed = parseHead(headText, key);
    if (parsed.ok) head = parsed.head;
    else problem(null, 'head', parsed.problem);
  }
  const table = store === undefined ? undefined : new TableCursor(store);
  let expected = 0;
  let prev = GENESIS_HASH;
  let records = 0;
  let checkpoints = 0;
  let headSeen = false;
  let bytes = 0;
  let tornLine: string | undefined;
  for await (const { line, torn } of readLines(paths.log)) {
    if (torn) {
      tornLine = line;
      break;
    }
    bytes += Buffer.byteLength(line) + 1;
    const parsed = parseRecordLine(line);
    if (!parsed.ok) {
      const what = parsed.problem === 'bad_hash' || parsed.problem === 'not_canonical' ? 'edited' : 'malformed';
      problem(expected, what, `record ${expected} ${what === 'edited' ? 'was changed after it was written' : 'is not a valid record'} (${parsed.problem})`);
      // Resynchronise on the claimed index so one bad line is one finding.
      expected = (parsed.index ?? expected) + 1;
      prev = '';
      continue;
    }
    const record = parsed.record;
    records += 1;
    if (record.index !== expected) {
      const kind = record.index < expected ? 'repeated or moved back' : 'missing';
      problem(Math.min(record.index, expected), 'sequence', `expected record ${expected}, found ${record.index} (a record was ${kind === 'missing' ? 'deleted or moved' : 'inserted or moved'})`);
    } else if (prev !== '' && record.prev !== prev) {
      problem(Math.max(0, record.index - 1), 'link', `record ${record.index} does not link to record ${record.index - 1}: one of them was changed or replaced`);
    }
    if (record.type === 'audit_checkpoint') {
      checkpoints += 1;
      const d = record.details ?? {};
      const valid =
        d.covers === record.index - 1 &&
        d.head === record.prev &&
        d.keyId === key.keyId &&
        typeof d.signature === 'string' &&
        verifyMessage(key, checkpointMessage(record.index - 1, record.prev, record.time), d.signature);
      if (!valid) problem(record.index, 'checkpoint', `checkpoint ${record.index} is not validly signed by key ${key.keyId}`);
    }
    if (head !== undefined && record.index === head.index) {
      headSeen = true;
      if (record.hash !== head.hash) problem(record.index, 'head', `record ${record.index} is not the one the signed head names`);
    }
    if (table !== undefined) {
      const row = await table.get(record.index);
      if (row === undefined) {
        if ((await table.get(record.index + 1)) !== undefined) problem(record.index, 'table', `record ${record.index} is missing from the audit table`);
      } else if (!sameRecord(row, record)) {
        problem(record.index, 'table', `record ${record.index} differs between audit.jsonl and the audit table`);
      }
    }
    expected = record.index + 1;
    prev = record.hash;
  }
  const lastIndex = expected - 1;
  // A running Rampart may append while this reads: what it wrote meanwhile is news, not tampering. The table is asked
  // first, so a record that reached it after the file was read has grown the file too.
  const tableLast = store === undefined ? undefined : await store.lastIndex();
  const grown = (await stat(paths.log)).size > bytes + (tornLine === undefined ? 0 : Buffer.byteLength(tornLine));
  if (tornLine !== undefined) {
    if (grown) notes.push(`record ${expected} was being written while verifying; run verify again to check it`);
    else problem(expected, 'torn', `the last line is incomplete (${Buffer.byteLength(tornLine)} bytes): a crash mid-write or a cut inside record ${expected}`);
  }
  if (headText === undefined && lastIndex >= 0) problem(null, 'head', 'the signed head file is missing');
  if (head !== undefined && head.index > lastIndex) {
    problem(lastIndex + 1, 'truncated', `the file ends at record ${lastIndex} but the signed head names record ${head.index}: records were removed from the end`);
  } else if (head !== undefined && head.index >= 0 && !headSeen) {
    problem(head.index, 'head', `the record the signed head names (${head.index}) was not found in sequence`);
  }
  if (tableLast !== undefined) {
    if (tableLast > lastIndex && grown) notes.push(`records after ${lastIndex} were written while verifying and are not checked; run verify again`);
    else if (tableLast > lastIndex) problem(lastIndex + 1, 'truncated', `the audit table has records up to ${tableLast} but the file ends at ${lastIndex}: records were removed`);
    else if (tableLast < lastIndex && problems.length === 0) notes.push(`the audit table ends at ${tableLast}; it is caught up from the file the next time Rampart writes`);
  }
  const indexes = problems.map((p) => p.index).filter((i): i is number => i !== null);
  const firstBadIndex = indexes.length === 0 ? (problems.length > 0 ? lastIndex + 1 : null) : Math.min(...indexes);
  return { ok: problems.length === 0, records, checkpoints, lastIndex, lastHash: prev, head, keyId: key.keyId, firstBadIndex, problems, notes };
}
