import type { OAuthConfig, OAuthProviderSettings } from '../config/oauth-schema.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { ALL_MODELS, type CooldownTracker } from '../routing/cooldowns.ts';
import type { CredentialSecret, CredentialVault, OAuthProviderName, OAuthTokens } from '../vault/credential-vault.ts';
import { OAuthError } from './oauth-error.ts';
import { DEFAULT_TOKEN_TIMEOUT_MS, refreshTokens } from './token-client.ts';

/** What the proxy asks of the refresher: a usable access token for a credential, right before an upstream call. */
export interface AccessTokenSource {
  accessToken(credentialId: string): Promise<string>;
}

/** The refresher's collaborators. */
export interface TokenRefresherOptions {
  vault: CredentialVault;
  /** The `oauth:` config: token endpoints and the early-refresh margin per provider. */
  oauth: Pick<OAuthConfig, OAuthProviderName | 'httpTimeoutMs'>;
  /** A failed refresh cools the credential (kind 'auth', all models) so requests go elsewhere meanwhile. */
  cooldowns: CooldownTracker;
  audit: AuditLog;
  now?: () => number;
}

type OAuthSecret = Extract<CredentialSecret, { kind: 'oauth' }>;

/**
 * Keeps OAuth access tokens fresh. A token is used from memory while it has more than the provider's margin left;
 * otherwise it is refreshed, once per credential however many requests ask at the same time (single flight), with
 * a deadline (oauth.httpTimeoutMs, 30 s). The rotated refresh token and new expiry are saved in one `replaceSecret`
 * before anyone uses the new access token, so a crash cannot leave the vault holding a refresh token already spent.
 * Tokens never appear in a log line, error message or audit event.
 */
export class TokenRefresher implements AccessTokenSource {
  readonly #options: TokenRefresherOptions;
  readonly #now: () => number;
  /** Decrypted secrets, kept so the hot path costs no vault read while the token is fresh. */
  readonly #cache = new Map<string, OAuthSecret>();
  readonly #flights = new Map<string, Promise<string>>();

  constructor(options: TokenRefresherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** A fresh access token for the credential; rejects with an OAuthError when none can be had (the credential cools). */
  accessToken(credentialId: string): Promise<string> {
    const cached = this.#cache.get(credentialId);
    if (cached !== undefined && this.#fresh(cached)) return Promise.resolve(cached.tokens.accessToken);
    let flight = this.#flights.get(credentialId);
    if (flight === undefined) {
      flight = this.#resolve(credentialId).finally(() => this.#flights.delete(credentialId));
      this.#flights.set(credentialId, flight);
    }
    return flight;
  }

  /** Drops what is cached for a credential (after it was removed or replaced by another path). */
  forget(credentialId: string): void {
    this.#cache.delete(credentialId);
  }

  #fresh(secret: OAuthSecret): boolean {
    const { expiresAt } = secret.tokens;
    // No expiry from the provider: nothing to go by but the upstream's own verdict.
    if (expiresAt === undefined) return true;
    return expiresAt - this.#settings(secret.oauth).refreshMarginMs > this.#now();
  }

  #settings(oauth: OAuthProviderName): OAuthProviderSettings {
    return this.#options.oauth[oauth];
  }

  async #resolve(credentialId: string): Promise<string> {
    // Re-read the vault first: another process (or an earlier flight of ours) may have refreshed already, and its
    // rotation spent the refresh token we remember.
    let secret: CredentialSecret;
    try {
      secret = await this.#options.vault.readSecret(credentialId);
    } catch (error) {
      this.#cache.delete(credentialId);
      throw this.#failed(credentialId, undefined, new OAuthError('not_oauth', `credential ${credentialId} cannot be read from the vault`), error);
    }
    if (secret.kind !== 'oauth') throw this.#failed(credentialId, undefined, new OAuthError('not_oauth', `credential ${credentialId} is not an OAuth credential`));
    this.#cache.set(credentialId, secret);
    if (this.#fresh(secret)) return secret.tokens.accessToken;
    return this.#refresh(credentialId, secret);
  }

  async #refresh(credentialId: string, secret: OAuthSecret): Promise<string> {
    const { refreshToken } = secret.tokens;
    if (refreshToken === undefined) {
      throw this.#failed(credentialId, secret.oauth, new OAuthError('no_refresh_token', `credential ${credentialId} has no refresh token; log in again`));
    }
    const settings = this.#settings(secret.oauth);
    let tokens: OAuthTokens;
    try {
      const result = await refreshTokens(settings, refreshToken, { timeoutMs: this.#options.oauth.httpTimeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS, now: this.#now });
      // A provider that does not rotate keeps the old refresh token (RFC 6749 §6); the id_token likewise.
      tokens = { ...secret.tokens, ...result.tokens };
      if (result.tokens.expiresAt === undefined) delete tokens.expiresAt;
    } catch (error) {
      throw this.#failed(credentialId, secret.oauth, error instanceof OAuthError ? error : new OAuthError('network', 'the token refresh failed'));
    }
    const next: OAuthSecret = { kind: 'oauth', oauth: secret.oauth, tokens };
    try {
      const stored = await this.#options.vault.get(credentialId);
      const meta = { ...stored?.meta, expiresAt: tokens.expiresAt === undefined ? null : new Date(tokens.expiresAt).toISOString() };
      await this.#options.vault.replaceSecret(credentialId, next, meta);
    } catch (error) {
      // The provider may already have spent the old refresh token: keep the new one in memory so this process
      // still works, and say loudly that the vault is behind.
      this.#cache.set(credentialId, next);
      this.#audit(credentialId, secret.oauth, 'failure', 'vault_write_failed', error);
      return tokens.accessToken;
    }
    this.#cache.set(credentialId, next);
    this.#audit(credentialId, secret.oauth, 'success');
    return tokens.accessToken;
  }

  /** Cools the credential, audits the failure and returns the error to throw (its message holds no secret). */
  #failed(credentialId: string, oauth: OAuthProviderName | undefined, error: OAuthError, cause?: unknown): OAuthError {
    this.#options.cooldowns.recordFailure(credentialId, ALL_MODELS, 'auth');
    this.#audit(credentialId, oauth, 'failure', error.reason, cause);
    return error;
  }

  #audit(credentialId: string, oauth: OAuthProviderName | undefined, outcome: 'success' | 'failure', reason?: string, cause?: unknown): void {
    const details: Record<string, unknown> = { credentialId };
    if (oauth !== undefined) details.oauth = oauth;
    if (reason !== undefined) details.reason = reason;
    // Only the error's class name: a vault or network message is not ours to vouch for.
    if (cause instanceof Error) details.cause = cause.name;
    this.#options.audit.record({ type: 'token_refresh', actor: 'system', outcome, details });
  }
}
