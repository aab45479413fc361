import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventInput, type AuditRecord } from './audit-log.ts';

/** `prev` of the first record of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Largest `details` object kept as given (canonical JSON bytes); bigger ones are replaced by a marker. */
export const MAX_DETAILS_BYTES = 16_384;

/**
 * Canonical JSON: object keys sorted (code-unit order), no whitespace, no undefined members. Written as a string
 * directly, never through intermediate objects, so a `__proto__` key in parsed data is serialised like any other.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('non-finite number in an audit record');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const member: unknown = (value as Record<string, unknown>)[key];
        return member === undefined ? [] : [`${JSON.stringify(key)}:${canonicalJson(member)}`];
      });
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} cannot be written to the audit log`);
}

/** Canonical texts already computed, by the object they were computed for (details are immutable once normalised). */
const detailsText = new WeakMap<object, string>();
const lineText = new WeakMap<object, string>();

/** canonicalJson of a record's details, computed once per details object. */
export function canonicalDetails(details: Record<string, unknown>): string {
  let text = detailsText.get(details);
  if (text === undefined) {
    text = canonicalJson(details);
    detailsText.set(details, text);
  }
  return text;
}

/**
 * The record's fields in their fixed order, as stored: optional fields are null when absent, so every line has the
 * same shape. `hash` is left out when `withHash` is false (that is what the hash covers).
 */
function storedShape(record: Omit<AuditRecord, 'hash'> & { hash?: string }, withHash: boolean): string {
  const parts = [
    `"index":${canonicalJson(record.index)}`,
    `"time":${canonicalJson(record.time)}`,
    `"type":${canonicalJson(record.type)}`,
    `"actor":${canonicalJson(record.actor)}`,
    `"ip":${canonicalJson(record.ip ?? null)}`,
    `"requestId":${canonicalJson(record.requestId ?? null)}`,
    `"outcome":${canonicalJson(record.outcome)}`,
    `"details":${canonicalDetails(record.details ?? {})}`,
    `"prev":${canonicalJson(record.prev)}`,
  ];
  if (withHash) parts.push(`"hash":${canonicalJson(record.hash ?? '')}`);
  return `{${parts.join(',')}}`;
}

/** SHA-256 (hex) over the canonical form of everything but `hash`. */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(storedShape(record, false)).digest('hex');
}

/** The record as one line of audit.jsonl (no newline): canonical, so verify can demand byte equality. */
export function recordLine(record: AuditRecord): string {
  return lineText.get(record) ?? storedShape(record, true);
}

/** Numbers the event, chains it to `prev` and hashes it. */
export function sealRecord(event: AuditEventInput, index: number, prev: string, time: Date): AuditRecord {
  const unsealed: Omit<AuditRecord, 'hash'> = {
    index,
    time: time.toISOString(),
    type: event.type,
    actor: event.actor,
    ip: event.ip,
    requestId: event.requestId,
    outcome: event.outcome,
    details: event.details ?? {},
    prev,
  };
  // The line is the hashed text plus the hash: built from it rather than serialised twice.
  const body = storedShape(unsealed, false);
  const hash = createHash('sha256').update(body).digest('hex');
  const record: AuditRecord = { ...unsealed, hash };
  lineText.set(record, `${body.slice(0, -1)},"hash":${JSON.stringify(hash)}}`);
  return record;
}

/**
 * Makes an event safe to hash and store: details become plain JSON (Dates as ISO strings; functions, symbols and
 * undefined dropped, as JSON.stringify does). Details that cannot be serialised or are too big are replaced by a
 * marker instead of throwing: `record()` must never throw on the hot path.
 */
export function normaliseEvent(event: AuditEventInput): AuditEventInput {
  let details: Record<string, unknown> = {};
  const flat = event.details === undefined ? undefined : flatCopy(event.details);
  if (flat !== undefined) {
    // The hot path (provider_request, refusals): flat details of plain values need no JSON round trip.
    const text = canonicalJson(flat);
    details = text.length > MAX_DETAILS_BYTES ? { detailsOmitted: 'too_large', detailsBytes: text.length } : flat;
    if (details === flat) detailsText.set(details, text);
  } else if (event.details !== undefined) {
    try {
      const plain: unknown = JSON.parse(JSON.stringify(event.details) ?? '{}');
      const text = canonicalJson(plain);
      details = text.length > MAX_DETAILS_BYTES ? { detailsOmitted: 'too_large', detailsBytes: text.length } : (plain as Record<string, unknown>);
      if (details === plain) detailsText.set(details, text);
    } catch {
      details = { detailsOmitted: 'not_serialisable' };
    }
  }
  return {
    type: event.type,
    actor: String(event.actor).slice(0, 256),
    ip: event.ip === undefined ? undefined : String(event.ip).slice(0, 64),
    requestId: event.requestId === undefined ? undefined : String(event.requestId).slice(0, 128),
    outcome: event.outcome,
    details,
  };
}

/**
 * A copy of `details` when every member is a string, a finite number, a boolean, null or undefined (dropped), as
 * JSON would keep them; undefined when anything else is in it (nested objects, Dates, NaN), which takes the JSON
 * round trip instead.
 */
function flatCopy(details: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Object.getPrototypeOf(details) !== Object.prototype) return undefined;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(details)) {
    if (key === '__proto__') return undefined;
    const value = details[key];
    if (value === undefined) continue;
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) copy[key] = value;
    else return undefined;
  }
  return copy;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A stored line's shape; strict, so an added field is a finding, not something ignored. */
const storedRecordSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  time: z.iso.datetime(),
  type: z.enum(AUDIT_EVENT_TYPES),
  actor: z.string(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied', 'detected', 'blocked', 'error']),
  details: z.record(z.string(), z.unknown()),
  prev: hex64,
  hash: hex64,
});

/** Why a line is not a well-formed, self-consistent record. */
export type LineProblem = 'not_json' | 'bad_shape' | 'not_canonical' | 'bad_hash';

/** Parses one line of audit.jsonl; checks shape, canonical form and the record's own hash (not its chain link). */
export function parseRecordLine(line: string): { ok: true; record: AuditRecord } | { ok: false; problem: LineProblem; index?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'not_json' };
  }
  const parsed = storedRecordSchema.safeParse(raw);
  const rawIndex = typeof raw === 'object' && raw !== null ? (raw as { index?: unknown }).index : undefined;
  const index = typeof rawIndex === 'number' && Number.isSafeInteger(rawIndex) ? rawIndex : undefined;
  if (!parsed.success) return { ok: false, problem: 'bad_shape', ...(index === undefined ? {} : { index }) };
  const data = parsed.data;
  const record: AuditRecord = {
    index: data.index,
    time: data.time,
    type: data.type,
    actor: data.actor,
    ip: data.ip ?? undefined,
    requestId: data.requestId ?? undefined,
    outcome: data.outcome,
    // The raw object, not zod's copy: a copy made by assignment would turn a `__proto__` member into a prototype.
    details: (raw as { details: Record<string, unknown> }).details,
    prev: data.prev,
    hash: data.hash,
  };
  if (recordLine(record) !== line) return { ok: false, problem: 'not_canonical', index: data.index };
  const { hash, ...unsealed } = record;
  if (recordHash(unsealed) !== hash) return { ok: false, problem: 'bad_hash', index: data.index };
  return { ok: true, record };
}
