import type { Logger } from 'pino';
import type { PooledCredential } from '../routing/router.ts';
import type { CredentialSecret, StoredCredential } from './credential-vault.ts';
import type { EncryptedCredentialVault } from './encrypted-credential-vault.ts';

/** How often a running server re-reads the vault (the same rhythm as cooldowns written by other processes). */
export const VAULT_REFRESH_MS = 2_000;

/** What the sync needs of the router: replace a provider's vault-sourced pool members (router.ts). */
export interface VaultPoolTarget {
  replaceVaultCredentials(providerId: string, members: readonly PooledCredential[]): string[] | undefined;
}

/** The vault operations the sync uses (EncryptedCredentialVault; a fake in tests). */
export type SyncedVault = Pick<EncryptedCredentialVault, 'list' | 'readSecret' | 'refreshKey' | 'status' | 'lockReason'>;

interface CachedMember {
  /** id, update time and key version: a change of any means the secret must be read again. */
  signature: string;
  member: PooledCredential;
}

/** The pool member a vault credential becomes. OAuth members carry no secret: the token is resolved per call. */
export function toPoolMember(credential: StoredCredential, secret: CredentialSecret): PooledCredential {
  if (secret.kind === 'api_key') return { id: credential.id, apiKey: secret.apiKey, auth: 'api-key', weight: 1 };
  return { id: credential.id, apiKey: '', auth: 'oauth', oauthProvider: secret.oauth, weight: 1 };
}

/**
 * Keeps the routers' pools in step with the vault: decrypts new and changed credentials (only those), puts each into
 * its provider's pool next to the config credentials, drops removed ones. Credentials of unknown providers and ones
 * that fail to decrypt are left out with one warning each (ids only, never a secret). Never throws into the timer.
 */
export class VaultPoolSync {
  readonly #vault: SyncedVault;
  readonly #target: VaultPoolTarget;
  readonly #providers: ReadonlySet<string>;
  readonly #log: Logger;
  readonly #cache = new Map<string, CachedMember>();
  readonly #applied = new Map<string, string>();
  readonly #warned = new Set<string>();
  readonly #counts = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(vault: SyncedVault, target: VaultPoolTarget, providerIds: Iterable<string>, log: Logger) {
    this.#vault = vault;
    this.#target = target;
    this.#providers = new Set(providerIds);
    this.#log = log;
  }

  /** Syncs once now, then every `intervalMs` until `stop`. */
  async start(intervalMs = VAULT_REFRESH_MS): Promise<void> {
    await this.sync();
    this.#timer = setInterval(() => {
      this.sync().catch((error: unknown) => this.#log.error({ err: error }, 'vault refresh failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sync in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Reads the vault and updates the pools that changed; concurrent calls share one pass. */
  sync(): Promise<void> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** How many vault credentials each known provider's pool holds now. */
  counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  async #pass(): Promise<void> {
    if ((await this.#vault.refreshKey()) === 'locked') this.#warnOnce(`locked:${this.#vault.lockReason() ?? ''}`, {}, `vault locked: ${this.#vault.lockReason() ?? 'unknown reason'}; serving the credentials read before`);
    const credentials = await this.#vault.list();
    const members = new Map<string, PooledCredential[]>();
    const seen = new Set<string>();
    for (const credential of credentials) {
      if (!this.#providers.has(credential.providerId)) {
        this.#warnOnce(`provider:${credential.id}:${credential.providerId}`, { credentialId: credential.id, providerId: credential.providerId }, 'vault credential skipped: no provider with this id in the config');
        continue;
      }
      const key = `${credential.providerId}\u0000${credential.id}`;
      seen.add(key);
      const member = await this.#member(key, credential);
      if (member === undefined) continue;
      const list = members.get(credential.providerId) ?? [];
      list.push(member);
      members.set(credential.providerId, list);
    }
    for (const key of [...this.#cache.keys()]) if (!seen.has(key)) this.#cache.delete(key);
    for (const providerId of this.#providers) {
      const list = members.get(providerId) ?? [];
      const signature = list.map((m) => this.#cache.get(`${providerId}\u0000${m.id}`)?.signature ?? m.id).join('\n');
      if (this.#applied.get(providerId) === signature) continue;
      const skipped = this.#target.replaceVaultCredentials(providerId, list) ?? [];
      for (const id of skipped) this.#warnOnce(`clash:${id}`, { credentialId: id, providerId }, 'vault credential skipped: a config credential of this provider has the same id');
      this.#applied.set(providerId, signature);
      this.#counts.set(providerId, list.length - skipped.length);
      this.#log.info({ providerId, vaultCredentials: list.length - skipped.length }, 'vault credentials loaded into the pool');
    }
  }

  /** The pool member of a credential, decrypting only when it changed; a failure keeps the member read before. */
  async #member(key: string, credential: StoredCredential): Promise<PooledCredential | undefined> {
    const signature = `${credential.id}@${credential.updatedAt.getTime()}@${credential.keyVersion}`;
    const cached = this.#cache.get(key);
    if (cached?.signature === signature) return cached.member;
    try {
      const member = toPoolMember(credential, await this.#vault.readSecret(credential.id));
      this.#cache.set(key, { signature, member });
      return member;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#warnOnce(`decrypt:${signature}`, { credentialId: credential.id }, `vault credential left out of its pool: ${reason}`);
      return cached?.member;
    }
  }

  #warnOnce(key: string, fields: Record<string, string>, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#log.warn(fields, message);
  }
}
