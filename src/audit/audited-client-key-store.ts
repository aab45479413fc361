import { userInfo } from 'node:os';
import type { ClientKeyPatch, ClientKeyRecord, ClientKeyStore, NewClientKeyRecord } from '../storage/ports.ts';
import type { AuditEventInput, AuditLog } from './audit-log.ts';

/** Settings worth auditing, as plain JSON (dates as ISO strings). Never the key or its hash. */
function settingsOf(record: Partial<ClientKeyRecord>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = ['name', 'owner', 'models', 'providers', 'routes', 'ips', 'expiresAt', 'rps', 'burst', 'monthlyTokens', 'maxTokens', 'disabledAt'] as const;
  for (const field of fields) {
    const value = record[field];
    if (value !== undefined) out[field] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/**
 * A ClientKeyStore that writes `key_created|key_updated|key_revoked` durably before each change and refuses the
 * change (AuditUnavailableError propagates) when the audit log cannot record it. Write-ahead, so the log never
 * misses a change; a change that then fails anyway is followed by the same event with outcome `error`.
 */
export class AuditedClientKeyStore implements ClientKeyStore {
  readonly #inner: ClientKeyStore;
  readonly #audit: AuditLog;
  readonly #actor: string;
  readonly #via: Record<string, unknown>;

  constructor(inner: ClientKeyStore, audit: AuditLog, actor = 'cli') {
    this.#inner = inner;
    this.#audit = audit;
    this.#actor = actor;
    const user = actor === 'cli' ? osUser() : undefined;
    this.#via = user === undefined ? {} : { osUser: user };
  }

  async #audited<T>(event: Omit<AuditEventInput, 'actor' | 'outcome'>, change: () => Promise<T>): Promise<T> {
    const full = { ...event, actor: this.#actor, details: { ...this.#via, ...event.details } };
    await this.#audit.recordDurable({ ...full, outcome: 'success' });
    try {
      return await change();
    } catch (error) {
      this.#audit.record({ ...full, outcome: 'error' });
      throw error;
    }
  }

  insert(record: NewClientKeyRecord): Promise<void> {
    return this.#audited({ type: 'key_created', details: { keyId: record.id, ...settingsOf(record) } }, () => this.#inner.insert(record));
  }

  async update(id: string, patch: ClientKeyPatch): Promise<ClientKeyRecord | undefined> {
    if ((await this.#inner.findById(id)) === undefined) return undefined;
    const { updatedAt: _updatedAt, ...changes } = patch;
    // null = a setting cleared; kept as null so the record says what was lifted.
    const changed = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
    return this.#audited({ type: 'key_updated', details: { keyId: id, changes: changed } }, () => this.#inner.update(id, patch));
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const current = await this.#inner.findById(id);
    if (current === undefined) return false;
    return this.#audited({ type: 'key_revoked', details: { keyId: id, name: current.name } }, () => this.#inner.revoke(id, at));
  }

  list(): Promise<ClientKeyRecord[]> {
    return this.#inner.list();
  }

  findById(id: string): Promise<ClientKeyRecord | undefined> {
    return this.#inner.findById(id);
  }

  findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    return this.#inner.findByHash(hash);
  }

  count(): Promise<number> {
    return this.#inner.count();
  }
}
