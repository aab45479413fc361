import { createHash } from 'node:crypto';
import type { AuditEventInput, AuditRecord } from './audit-log.ts';
import type { AuditFileIo } from './audit-io.ts';
import type { VerifyingKey } from './audit-keys.ts';
import { GENESIS_HASH, parseRecordLine } from './audit-record.ts';
import { parseHead, readTail } from './audit-tail.ts';

/** Where the chain stands: what the next record links to and where it is written. */
export interface ChainState {
  /** Size of audit.jsonl in bytes, all of it complete, acknowledged lines. */
  size: number;
  lastIndex: number;
  lastHash: string;
  checkpointIndex: number;
  /** Epoch ms of the last checkpoint (or of the log's start). */
  checkpointTime: number;
}

/** The log cannot be continued safely: its tail was edited or cut. Writing stops until an operator looks. */
export class AuditIntegrityError extends Error {
  readonly code = 'INTEGRITY';
  constructor(message: string) {
    super(`${message}; run \`rampart audit verify\` (docs/audit.md: recovery)`);
    this.name = 'AuditIntegrityError';
  }
}

/**
 * Reads where the chain stands from the file's tail and the signed head file. Refuses (AuditIntegrityError) when
 * the last record is invalid or the head names a record the file no longer has. A torn last line past the head —
 * a crash between write and fsync, never acknowledged to anyone — is kept in a side file, cut, and reported by the
 * returned events, so the chain never silently continues from half a record.
 */
export async function loadChainState(io: AuditFileIo, key: VerifyingKey, now: number): Promise<{ state: ChainState; reports: AuditEventInput[] }> {
  const size = await io.size();
  const tail = await readTail(io, size);
  let last: AuditRecord | undefined;
  if (tail.lastLine !== undefined) {
    const parsed = parseRecordLine(tail.lastLine);
    if (!parsed.ok) {
      const at = parsed.index === undefined ? '' : ` at index ${parsed.index}`;
      throw new AuditIntegrityError(`the last record of the audit log is invalid (${parsed.problem}${at})`);
    }
    last = parsed.record;
  }
  const lastIndex = last?.index ?? -1;
  const reports: AuditEventInput[] = [];
  const headText = await io.readHead();
  let checkpointIndex = -1;
  let checkpointTime = now;
  if (headText === undefined) {
    if (lastIndex >= 0) reports.push(report({ reason: 'head_missing', lastIndex }));
  } else {
    const parsed = parseHead(headText, key);
    if (!parsed.ok) throw new AuditIntegrityError(parsed.problem);
    const head = parsed.head;
    if (head.index > lastIndex) {
      throw new AuditIntegrityError(`the audit log ends at index ${lastIndex} but its signed head names index ${head.index}: records were removed`);
    }
    if (head.index === lastIndex && last !== undefined && head.hash !== last.hash) {
      throw new AuditIntegrityError(`record ${lastIndex} is not the one the signed head names`);
    }
    checkpointIndex = head.checkpointIndex;
    checkpointTime = Date.parse(head.checkpointTime);
  }
  let intact = size;
  if (tail.torn.length > 0) {
    const savedAs = await io.saveAside(`torn-${now}`, tail.torn);
    await io.truncate(tail.intactSize);
    intact = tail.intactSize;
    const sha256 = createHash('sha256').update(tail.torn).digest('hex');
    reports.push(report({ reason: 'torn_tail', bytes: tail.torn.length, sha256, savedAs, resumedAfterIndex: lastIndex }));
  }
  return { state: { size: intact, lastIndex, lastHash: last?.hash ?? GENESIS_HASH, checkpointIndex, checkpointTime }, reports };
}

/** An `audit_sink_failure` event by the writer itself. */
export function report(details: Record<string, unknown>): AuditEventInput {
  return { type: 'audit_sink_failure', actor: 'system', outcome: 'error', details };
}
