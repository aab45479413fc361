/**
 * The audit log's contract: what every part of Rampart may ask of it. The hash-chained file + database writer
 * implements it (audit/audit-writer.ts); tests use MemoryAuditLog.
 */

/** Every audit event type Rampart writes. Names are stable: operators query and alert on them. */
export const AUDIT_EVENT_TYPES = [
  'auth_success',
  'auth_failure',
  'token_refresh',
  'config_change',
  'provider_request',
  'security_violation',
  'rate_limited',
  'ip_denied',
  'ip_blocked',
  'ip_unblocked',
  'waf_detect',
  'waf_block',
  'key_created',
  'key_updated',
  'key_revoked',
  'credential_added',
  'credential_removed',
  'credential_rotated',
  'credential_cooldown',
  'vault_rotated',
  'user_created',
  'user_updated',
  'user_deleted',
  'session_created',
  'session_revoked',
  'alert',
  'audit_sink_failure',
  'audit_checkpoint',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** How the audited action ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'detected' | 'blocked' | 'error';

/** One event as its producer hands it over. `details` must never hold a secret: use `AuditLog.fingerprint`. */
export interface AuditEventInput {
  type: AuditEventType;
  /** Who acted: `key:<id>`, `user:<name>`, `cli`, `system`, `anonymous`. */
  actor: string;
  ip?: string | undefined;
  requestId?: string | undefined;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
}

/** An event as written: numbered, timed, chained to its predecessor. */
export interface AuditRecord extends AuditEventInput {
  /** 0-based position in the chain. */
  index: number;
  /** ISO-8601 UTC time of writing. */
  time: string;
  /** SHA-256 (hex) of the previous record's canonical line; 64 zeros for the first record. */
  prev: string;
  /** SHA-256 (hex) of this record's canonical form (everything but `hash`). */
  hash: string;
}

/** Thrown by `recordDurable` when the sink cannot write in time; management actions are refused on it. */
export class AuditUnavailableError extends Error {
  constructor(message = 'the audit log cannot be written; the action was refused') {
    super(message);
    this.name = 'AuditUnavailableError';
  }
}

export interface AuditLog {
  /** Queues an event for writing; never throws and never waits (hot path). */
  record(event: AuditEventInput): void;
  /**
   * Writes an event and resolves once it is durable (fsync'd). Rejects with AuditUnavailableError within the
   * configured timeout (≤ 5 s) when the sink cannot write: callers refuse the mutating action then.
   */
  recordDurable(event: AuditEventInput): Promise<void>;
  /** False while the sink is failing (disk full, hung); readiness and the proxy's failure policy read it. */
  healthy(): boolean;
  /** Salted HMAC fingerprint of a secret (hex, short), the only form a secret may take in an event. */
  fingerprint(secret: string): string;
  /** Calls `listener` for every record after it is written; returns the unsubscribe function. */
  subscribe(listener: (record: AuditRecord) => void): () => void;
  /** Flushes what is queued and closes the sink. */
  close(): Promise<void>;
  /** The sink's state for health reports (optional: test doubles may leave it out). */
  status?(): AuditSinkStatus;
}

/** What health endpoints and `rampart audit` report about the sink. */
export interface AuditSinkStatus {
  healthy: boolean;
  /** Index of the last record written (durable), or -1 for an empty log. */
  lastIndex: number;
  /** Events waiting to be written. */
  queued: number;
  /** Events dropped because the queue was full while the sink failed, since the last `audit_sink_failure` record. */
  dropped: number;
  /** Since when the sink fails (ISO-8601), when it does. */
  failingSince?: string | undefined;
  /** Error code of the last failure (ENOSPC, EIO, TIMEOUT, …), never a path or message with data. */
  lastError?: string | undefined;
}

/** An in-memory AuditLog for tests of producers: keeps every event, chains nothing, never fails. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEventInput[] = [];
  readonly #listeners = new Set<(record: AuditRecord) => void>();

  record(event: AuditEventInput): void {
    this.events.push(event);
    const record: AuditRecord = { ...event, index: this.events.length - 1, time: new Date().toISOString(), prev: '', hash: '' };
    for (const listener of this.#listeners) listener(record);
  }

  recordDurable(event: AuditEventInput): Promise<void> {
    this.record(event);
    return Promise.resolve();
  }

  healthy(): boolean {
    return true;
  }

  fingerprint(secret: string): string {
    // Tests only: a stable, obviously-not-the-secret marker.
    return `fp:${secret.length}`;
  }

  subscribe(listener: (record: AuditRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
