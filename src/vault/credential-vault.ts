/**
 * The credential vault's contract: upstream secrets added by CLI, management API or OAuth login live only here,
 * encrypted (AES-256-GCM, credential id as additional data, key version per blob). Config `${ENV}` credentials never
 * enter the vault: they stay in memory.
 */

/** Which OAuth login a token came from; decides the refresh endpoint and how the provider is called. */
export type OAuthProviderName = 'claude' | 'codex' | 'gemini';

/** An OAuth token set as the provider's token endpoint returned it. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms when the access token expires, when the provider said. */
  expiresAt?: number;
  tokenType?: string;
  scope?: string;
  idToken?: string;
}

/** The secret part of a credential: only ever held decrypted in memory. */
export type CredentialSecret = { kind: 'api_key'; apiKey: string } | { kind: 'oauth'; oauth: OAuthProviderName; tokens: OAuthTokens };

/** Non-secret facts about a credential, safe to list (never a token or key). */
export type CredentialMeta = Record<string, string | number | boolean | null>;

/** A stored credential as listed: everything but the secret. */
export interface StoredCredential {
  /** Stable id (`A-Za-z0-9_.#-`, ≤ 63); also the AAD of its blob and its name in cooldowns, logs and metrics. */
  id: string;
  /** The configured provider (`providers[].id`) it joins the pool of. */
  providerId: string;
  kind: CredentialSecret['kind'];
  label: string | null;
  meta: CredentialMeta;
  /** Vault key version its blob is encrypted under. */
  keyVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What `add` takes. A missing id is generated. */
export interface NewCredential {
  id?: string;
  providerId: string;
  label?: string | null;
  meta?: CredentialMeta;
  secret: CredentialSecret;
}

export interface CredentialVault {
  add(input: NewCredential): Promise<StoredCredential>;
  list(): Promise<StoredCredential[]>;
  get(id: string): Promise<StoredCredential | undefined>;
  /** Decrypts one secret; throws a clear error (never garbage) when the blob fails authentication. */
  readSecret(id: string): Promise<CredentialSecret>;
  /** Replaces the secret (and optionally the meta) in one atomic write, e.g. after a token refresh rotated it. */
  replaceSecret(id: string, secret: CredentialSecret, meta?: CredentialMeta): Promise<void>;
  /** Deletes the credential; false when no credential has this id. */
  remove(id: string): Promise<boolean>;
}
