import type { AuditLog } from '../audit/audit-log.ts';
import type { CredentialMeta, CredentialSecret, CredentialVault, NewCredential, StoredCredential } from './credential-vault.ts';

/**
 * A CredentialVault whose additions and removals are written to the audit log first, durably: when the log cannot
 * take the record, the change is refused (AuditUnavailableError) and the vault is untouched. Used where a credential
 * arrives outside the CredentialService (OAuth logins). Secret replacements (token refreshes) are audited by the
 * refresher as `token_refresh`.
 */
export class AuditedVault implements CredentialVault {
  readonly #vault: CredentialVault;
  readonly #audit: AuditLog;
  readonly #actor: string;

  constructor(vault: CredentialVault, audit: AuditLog, actor: string) {
    this.#vault = vault;
    this.#audit = audit;
    this.#actor = actor;
  }

  async add(input: NewCredential): Promise<StoredCredential> {
    const details = { providerId: input.providerId, kind: input.secret.kind, ...(input.id === undefined ? {} : { credentialId: input.id }), ...(input.secret.kind === 'oauth' ? { oauth: input.secret.oauth } : {}) };
    await this.#audit.recordDurable({ type: 'credential_added', actor: this.#actor, outcome: 'success', details });
    return this.#vault.add(input);
  }

  list(): Promise<StoredCredential[]> {
    return this.#vault.list();
  }

  get(id: string): Promise<StoredCredential | undefined> {
    return this.#vault.get(id);
  }

  readSecret(id: string): Promise<CredentialSecret> {
    return this.#vault.readSecret(id);
  }

  replaceSecret(id: string, secret: CredentialSecret, meta?: CredentialMeta): Promise<void> {
    return this.#vault.replaceSecret(id, secret, meta);
  }

  async remove(id: string): Promise<boolean> {
    await this.#audit.recordDurable({ type: 'credential_removed', actor: this.#actor, outcome: 'success', details: { credentialId: id } });
    return this.#vault.remove(id);
  }
}
