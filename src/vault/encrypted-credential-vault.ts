import type { VaultCredentialRecord, VaultKeyRecord, VaultStore, VaultWriteResult } from '../storage/ports.ts';
import type { CredentialMeta, CredentialSecret, CredentialVault, NewCredential, StoredCredential } from './credential-vault.ts';
import { newCredentialId } from './credential-service.ts';
import { CREDENTIAL_ID, PROVIDER_ID, labelSchema, metaSchema, secretSchema } from './secret-schema.ts';
import { BlobAuthenticationError, credentialAad, openBlob, sealBlob } from './vault-cipher.ts';
import { CredentialNotFoundError, VaultDecryptError, VaultInputError, VaultLockedError } from './vault-errors.ts';
import { type KeySource, type KeyringOptions, type UnlockedKey, currentVersion, unlockVaultKey } from './vault-keyring.ts';

/** A stored credential with its decrypted secret, or why it could not be decrypted. */
export type VaultEntry = { credential: StoredCredential; secret: CredentialSecret } | { credential: StoredCredential; error: VaultDecryptError };

/**
 * The credential vault over a VaultStore: AES-256-GCM blobs under versioned keys (see vault-cipher.ts). It holds the key
 * of the current version only; blobs under older (retired) versions are refused with a clear error. When another
 * process rotates the key, `refreshKey` re-reads the key source (a key file follows; an environment variable cannot,
 * so the vault reports itself locked until a restart with the new key).
 */
export class EncryptedCredentialVault implements CredentialVault {
  readonly #store: VaultStore;
  readonly #options: KeyringOptions;
  readonly #now: () => number;
  #unlocked: UnlockedKey;
  #versions: VaultKeyRecord[];
  #lockReason: string | undefined;

  private constructor(options: KeyringOptions, unlocked: UnlockedKey, versions: VaultKeyRecord[]) {
    this.#store = options.store;
    // Later reloads never generate: a key appears only on a first start.
    this.#options = { ...options, allowGenerate: false };
    this.#now = options.now ?? Date.now;
    this.#unlocked = unlocked;
    this.#versions = versions;
  }

  /** Unlocks the vault (see unlockVaultKey: env key, key file, first-start generation) or throws a clear error. */
  static async open(options: KeyringOptions): Promise<EncryptedCredentialVault> {
    const unlocked = await unlockVaultKey(options);
    return new EncryptedCredentialVault(options, unlocked, await options.store.keyVersions());
  }

  /** 'unlocked' while this process holds the key of the current version; readiness reads it. */
  status(): 'unlocked' | 'locked' {
    return this.#lockReason === undefined ? 'unlocked' : 'locked';
  }

  /** Why the vault is locked (no secret in it), or undefined. */
  lockReason(): string | undefined {
    return this.#lockReason;
  }

  /** The key version new blobs are written under. */
  keyVersion(): number {
    return this.#unlocked.version;
  }

  /** Where the key came from. */
  keySource(): KeySource {
    return this.#unlocked.source;
  }

  /**
   * Re-reads the key history; when another process rotated the key, loads the new one from the key source. Returns
   * the status; never throws for a missing or wrong key (the reason is kept for `lockReason`).
   */
  async refreshKey(): Promise<'unlocked' | 'locked'> {
    const versions = await this.#store.keyVersions();
    this.#versions = versions;
    if (currentVersion(versions)?.version === this.#unlocked.version) {
      this.#lockReason = undefined;
      return 'unlocked';
    }
    try {
      this.#unlocked = await unlockVaultKey(this.#options);
      this.#versions = await this.#store.keyVersions();
      this.#lockReason = undefined;
    } catch (error) {
      this.#lockReason = `${error instanceof Error ? error.message : String(error)} (the vault key was rotated; restart with the new key)`;
    }
    return this.status();
  }

  async add(input: NewCredential): Promise<StoredCredential> {
    const id = input.id ?? newCredentialId();
    if (!CREDENTIAL_ID.test(id)) throw new VaultInputError('credential id must be 1-63 characters of A-Z, a-z, 0-9, _ . # - (starting with a letter or digit)');
    if (!PROVIDER_ID.test(input.providerId)) throw new VaultInputError('provider id must be 1-63 characters of a-z, 0-9, _ and -');
    const label = input.label === undefined || input.label === null ? null : parseOr(labelSchema, input.label, 'label must be one line of 1-200 characters');
    const meta = parseOr(metaSchema, input.meta ?? {}, 'meta must map at most 32 short keys to short strings, numbers, booleans or null');
    const secret = parseOr(secretSchema, input.secret, 'the secret is not a valid credential secret (an API key must be printable ASCII without spaces)');
    const now = new Date(this.#now());
    const write = (): Promise<VaultWriteResult> =>
      this.#store.insert({
        id,
        providerId: input.providerId,
        kind: secret.kind,
        label,
        meta: JSON.stringify(meta),
        keyVersion: this.#writableVersion(),
        blob: this.#seal(id, input.providerId, secret),
        createdAt: now,
        updatedAt: now,
      });
    const result = await this.#retryOnStaleKey(write);
    if (result === 'duplicate') throw new VaultInputError(`a credential with id "${id}" already exists`);
    return { id, providerId: input.providerId, kind: secret.kind, label, meta, keyVersion: this.#unlocked.version, createdAt: now, updatedAt: now };
  }

  async list(): Promise<StoredCredential[]> {
    return (await this.#store.list()).map(toStored);
  }

  async get(id: string): Promise<StoredCredential | undefined> {
    const record = await this.#store.get(id);
    return record === undefined ? undefined : toStored(record);
  }

  async readSecret(id: string): Promise<CredentialSecret> {
    const record = await this.#store.get(id);
    if (record === undefined) throw new CredentialNotFoundError(id);
    if (record.keyVersion > this.#unlocked.version) await this.refreshKey();
    return this.#open(record);
  }

  async replaceSecret(id: string, secret: CredentialSecret, meta?: CredentialMeta): Promise<void> {
    const record = await this.#store.get(id);
    if (record === undefined) throw new CredentialNotFoundError(id);
    const parsed = parseOr(secretSchema, secret, 'the secret is not a valid credential secret');
    const metaText = meta === undefined ? undefined : JSON.stringify(parseOr(metaSchema, meta, 'meta must map at most 32 short keys to short scalars'));
    // Strictly later than the last write, so a reader comparing `updatedAt` never misses a change within one ms.
    const updatedAt = new Date(Math.max(this.#now(), record.updatedAt.getTime() + 1));
    const write = (): Promise<VaultWriteResult> =>
      this.#store.update(id, {
        kind: parsed.kind,
        blob: this.#seal(id, record.providerId, parsed),
        keyVersion: this.#writableVersion(),
        updatedAt,
        ...(metaText === undefined ? {} : { meta: metaText }),
      });
    const result = await this.#retryOnStaleKey(write);
    if (result === 'not_found') throw new CredentialNotFoundError(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.#store.remove(id);
  }

  /** Every credential with its secret decrypted, or the error that names why not; one bad blob spoils no other. */
  async entries(): Promise<VaultEntry[]> {
    const records = await this.#store.list();
    if (records.some((r) => r.keyVersion > this.#unlocked.version)) await this.refreshKey();
    return records.map((record) => {
      const credential = toStored(record);
      try {
        return { credential, secret: this.#open(record) };
      } catch (error) {
        if (error instanceof VaultDecryptError) return { credential, error };
        throw error;
      }
    });
  }

  /** The key version this process may write under, or VaultLockedError. */
  #writableVersion(): number {
    if (this.#lockReason !== undefined) throw new VaultLockedError(`the vault is locked: ${this.#lockReason}`);
    return this.#unlocked.version;
  }

  /** Runs a write; when a rotation committed since the key was loaded, reloads the key once and writes again. */
  async #retryOnStaleKey(write: () => Promise<VaultWriteResult>): Promise<VaultWriteResult> {
    const first = await write();
    if (first !== 'stale_key') return first;
    if ((await this.refreshKey()) === 'locked') throw new VaultLockedError(`the vault is locked: ${this.#lockReason ?? 'unknown reason'}`);
    const second = await write();
    if (second === 'stale_key') throw new VaultLockedError('the vault key changed twice during one write; try again');
    return second;
  }

  #seal(id: string, providerId: string, secret: CredentialSecret): string {
    const plaintext = Buffer.from(JSON.stringify(secret), 'utf8');
    try {
      return sealBlob(this.#unlocked.key, credentialAad(id, providerId), plaintext);
    } finally {
      plaintext.fill(0);
    }
  }

  #open(record: VaultCredentialRecord): CredentialSecret {
    if (record.keyVersion !== this.#unlocked.version) {
      const known = this.#versions.find((v) => v.version === record.keyVersion);
      if (known !== undefined && known.retiredAt !== null) throw new VaultDecryptError(record.id, `it is encrypted under retired key version ${record.keyVersion} (the vault is on version ${this.#unlocked.version})`);
      throw new VaultDecryptError(record.id, `it is encrypted under key version ${record.keyVersion}, and this process holds the key of version ${this.#unlocked.version}`);
    }
    let plaintext: Buffer;
    try {
      plaintext = openBlob(this.#unlocked.key, credentialAad(record.id, record.providerId), record.blob);
    } catch (error) {
      if (error instanceof BlobAuthenticationError) throw new VaultDecryptError(record.id, error.message);
      throw error;
    }
    let data: unknown;
    try {
      data = JSON.parse(plaintext.toString('utf8'));
    } catch {
      data = undefined;
    } finally {
      plaintext.fill(0);
    }
    const secret = secretSchema.safeParse(data);
    if (!secret.success || secret.data.kind !== record.kind) throw new VaultDecryptError(record.id, 'the decrypted secret is not a valid credential of its kind');
    return secret.data;
  }
}

/**
 * The vault as commands that need no key see it: listing and removal work on the stored rows alone (removing a
 * credential must not need the key that may be lost); anything that encrypts or decrypts is refused.
 */
export function keylessVault(store: VaultStore): CredentialVault {
  const locked = (): Promise<never> => Promise.reject(new VaultLockedError('this command opened the vault without its key'));
  return {
    list: async () => (await store.list()).map(toStored),
    get: async (id) => {
      const record = await store.get(id);
      return record === undefined ? undefined : toStored(record);
    },
    remove: (id) => store.remove(id),
    add: locked,
    readSecret: locked,
    replaceSecret: locked,
  };
}

function parseOr<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, value: unknown, message: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new VaultInputError(message);
  return result.data;
}

function toStored(record: VaultCredentialRecord): StoredCredential {
  let meta: CredentialMeta = {};
  try {
    const parsed = metaSchema.safeParse(JSON.parse(record.meta));
    if (parsed.success) meta = parsed.data;
  } catch {
    // Unreadable meta lists as empty: it is informational, and one bad row must not hide the others.
  }
  const kind = record.kind === 'oauth' ? 'oauth' : 'api_key';
  return { id: record.id, providerId: record.providerId, kind, label: record.label, meta, keyVersion: record.keyVersion, createdAt: record.createdAt, updatedAt: record.updatedAt };
}
