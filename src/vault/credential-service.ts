import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { CredentialVault, StoredCredential } from './credential-vault.ts';
import { CREDENTIAL_ID } from './secret-schema.ts';
import { VaultInputError } from './vault-errors.ts';

/** What an API-key credential is added with; the key itself comes from wherever the caller read it (never argv). */
export interface NewApiKeyCredential {
  providerId: string;
  apiKey: string;
  id?: string | undefined;
  label?: string | undefined;
}

/** Options of the credential service. */
export interface CredentialServiceOptions {
  /** Configured provider id → the ids its config credentials use (credentials must join a known pool). */
  providers: ReadonlyMap<string, readonly string[]>;
  /** Where additions and removals are audited; each is refused when the audit log cannot take it. */
  audit?: AuditLog | undefined;
  /** Who acts, as the audit log names it (`cli`, `user:<name>`, `key:<id>`). */
  actor?: string;
}

/** A new credential id: readable prefix, 72 random bits (the vault's own default has the same shape). */
export function newCredentialId(): string {
  return `cred_${randomBytes(9).toString('hex')}`;
}

/**
 * Operator actions on vault credentials (CLI today, management API later): checks them against the config, audits
 * them durably BEFORE the change (no audit, no change), and never lets a secret reach an error or an audit record
 * (a salted fingerprint at most).
 */
export class CredentialService {
  readonly #vault: Pick<CredentialVault, 'add' | 'get' | 'remove'>;
  readonly #providers: ReadonlyMap<string, readonly string[]>;
  readonly #audit: AuditLog | undefined;
  readonly #actor: string;

  constructor(vault: Pick<CredentialVault, 'add' | 'get' | 'remove'>, options: CredentialServiceOptions) {
    this.#vault = vault;
    this.#providers = options.providers;
    this.#audit = options.audit;
    this.#actor = options.actor ?? 'cli';
  }

  /** Stores an API key for a configured provider; a running server adds it to the pool within seconds. */
  async addApiKey(input: NewApiKeyCredential): Promise<StoredCredential> {
    if (!this.#providers.has(input.providerId)) {
      const known = [...this.#providers.keys()];
      throw new VaultInputError(`no provider "${input.providerId}" in the config (${known.length === 0 ? 'none configured' : `configured: ${known.join(', ')}`})`);
    }
    const id = input.id ?? newCredentialId();
    if (!CREDENTIAL_ID.test(id)) throw new VaultInputError('credential id must be 1-63 characters of A-Z, a-z, 0-9, _ . # - (starting with a letter or digit)');
    for (const [providerId, ids] of this.#providers) {
      if (ids.includes(id)) throw new VaultInputError(`credential id "${id}" is already used by a config credential of provider "${providerId}"`);
    }
    if ((await this.#vault.get(id)) !== undefined) throw new VaultInputError(`a credential with id "${id}" already exists`);
    const details = {
      credentialId: id,
      providerId: input.providerId,
      kind: 'api_key',
      ...(input.label === undefined ? {} : { label: input.label }),
      ...(this.#audit === undefined ? {} : { fingerprint: this.#audit.fingerprint(input.apiKey) }),
    };
    await this.#audit?.recordDurable({ type: 'credential_added', actor: this.#actor, outcome: 'success', details });
    try {
      return await this.#vault.add({ id, providerId: input.providerId, label: input.label ?? null, secret: { kind: 'api_key', apiKey: input.apiKey } });
    } catch (error) {
      this.#audit?.record({ type: 'credential_added', actor: this.#actor, outcome: 'failure', details: { credentialId: id, providerId: input.providerId } });
      throw error;
    }
  }

  /** Deletes a credential; false when none has this id. A running server drops it from its pool within seconds. */
  async remove(id: string): Promise<boolean> {
    const existing = await this.#vault.get(id);
    if (existing === undefined) return false;
    await this.#audit?.recordDurable({
      type: 'credential_removed',
      actor: this.#actor,
      outcome: 'success',
      details: { credentialId: id, providerId: existing.providerId, kind: existing.kind },
    });
    return this.#vault.remove(id);
  }
}
