import type { AuditEventInput, AuditRecord } from './audit-log.ts';
import type { ChainState } from './audit-chain.ts';
import { checkpointMessage, type SigningKey, signMessage } from './audit-keys.ts';
import { sealRecord } from './audit-record.ts';
import type { AuditHead } from './audit-tail.ts';

/** When a checkpoint is due: after this many records, or this long after the last one. */
export interface CheckpointPolicy {
  everyRecords: number;
  everySeconds: number;
}

/** Whether records written since the last checkpoint call for a new one at `now` (epoch ms). */
export function checkpointDue(state: Pick<ChainState, 'lastIndex' | 'checkpointIndex' | 'checkpointTime'>, policy: CheckpointPolicy, now: number): boolean {
  const since = state.lastIndex - state.checkpointIndex;
  return since > 0 && (since >= policy.everyRecords || now - state.checkpointTime >= policy.everySeconds * 1000);
}

/**
 * Seals events onto the chain after `state`, adding a signed checkpoint record when one is due. Pure apart from the
 * signature: the caller writes the records and the head, and adopts `next` once both are durable.
 */
export function buildBatch(
  state: ChainState,
  events: readonly AuditEventInput[],
  key: SigningKey,
  policy: CheckpointPolicy,
  time: Date,
): { records: AuditRecord[]; head: AuditHead; next: Omit<ChainState, 'size'> } {
  let { lastIndex: index, lastHash: prev, checkpointIndex, checkpointTime } = state;
  const records: AuditRecord[] = [];
  const append = (event: AuditEventInput) => {
    const record = sealRecord(event, index + 1, prev, time);
    records.push(record);
    index = record.index;
    prev = record.hash;
  };
  for (const event of events) append(event);
  if (checkpointDue({ lastIndex: index, checkpointIndex, checkpointTime }, policy, time.getTime())) {
    const signature = signMessage(key, checkpointMessage(index, prev, time.toISOString()));
    append({ type: 'audit_checkpoint', actor: 'system', outcome: 'success', details: { covers: index, head: prev, keyId: key.keyId, signature } });
    checkpointIndex = index;
    checkpointTime = time.getTime();
  }
  const next = { lastIndex: index, lastHash: prev, checkpointIndex, checkpointTime };
  const head: AuditHead = { index, hash: prev, time: time.toISOString(), checkpointIndex, checkpointTime: new Date(checkpointTime).toISOString() };
  return { records, head, next };
}

/** An error's code (ENOSPC, EIO, LOCK_TIMEOUT, …) for logs and reports; never its message, which may name paths. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'EUNKNOWN';
}
