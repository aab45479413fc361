// Test helpers of src/oauth: an in-memory CredentialVault (the contract only, no encryption) and a parsed `oauth:`
// config pointed at a fake authorization server.
import type { OAuthConfig } from '../config/oauth-schema.ts';
import { oauthSchema } from '../config/oauth-schema.ts';
import type { CredentialMeta, CredentialSecret, CredentialVault, NewCredential, StoredCredential } from '../vault/credential-vault.ts';

/** An in-memory vault honouring the contract's behaviour (ids, copies, replaceSecret), counting its calls. */
export class MemoryVault implements CredentialVault {
  readonly #records = new Map<string, { stored: StoredCredential; secret: CredentialSecret }>();
  readonly calls = { readSecret: 0, replaceSecret: 0 };
  #next = 0;
  /** Makes replaceSecret fail, to test what happens when the vault cannot be written. */
  failWrites = false;

  add(input: NewCredential): Promise<StoredCredential> {
    const id = input.id ?? `${input.providerId}#oauth-${++this.#next}`;
    if (this.#records.has(id)) return Promise.reject(new Error(`credential ${id} already exists`));
    const now = new Date();
    const stored: StoredCredential = { id, providerId: input.providerId, kind: input.secret.kind, label: input.label ?? null, meta: { ...input.meta }, keyVersion: 1, createdAt: now, updatedAt: now };
    this.#records.set(id, { stored, secret: structuredClone(input.secret) });
    return Promise.resolve(structuredClone(stored));
  }

  list(): Promise<StoredCredential[]> {
    return Promise.resolve([...this.#records.values()].map((r) => structuredClone(r.stored)));
  }

  get(id: string): Promise<StoredCredential | undefined> {
    const record = this.#records.get(id);
    return Promise.resolve(record === undefined ? undefined : structuredClone(record.stored));
  }

  readSecret(id: string): Promise<CredentialSecret> {
    this.calls.readSecret++;
    const record = this.#records.get(id);
    if (record === undefined) return Promise.reject(new Error(`no credential ${id}`));
    return Promise.resolve(structuredClone(record.secret));
  }

  replaceSecret(id: string, secret: CredentialSecret, meta?: CredentialMeta): Promise<void> {
    this.calls.replaceSecret++;
    if (this.failWrites) return Promise.reject(new Error('disk full'));
    const record = this.#records.get(id);
    if (record === undefined) return Promise.reject(new Error(`no credential ${id}`));
    record.secret = structuredClone(secret);
    if (meta !== undefined) record.stored.meta = { ...meta };
    record.stored.updatedAt = new Date();
    return Promise.resolve();
  }

  remove(id: string): Promise<boolean> {
    return Promise.resolve(this.#records.delete(id));
  }
}

/** The `oauth:` config with every provider's endpoints on `baseUrl` (a mock-oauth server) and free callback ports. */
export function oauthConfigFor(baseUrl: string, overrides: Record<string, unknown> = {}): OAuthConfig {
  const provider = { authorizeUrl: `${baseUrl}/authorize`, tokenUrl: `${baseUrl}/token`, callbackPort: 0 };
  return oauthSchema.parse({
    callbackTimeoutMs: 5_000,
    claude: { ...provider },
    codex: { ...provider },
    gemini: { ...provider },
    ...overrides,
  });
}
