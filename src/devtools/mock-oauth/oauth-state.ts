import { randomBytes } from 'node:crypto';
import { pkceChallenge } from '../../oauth/pkce.ts';
import { timingSafeEqualString } from '../../lib/timing-safe.ts';

/** Counters served at GET /__mock/stats. */
export interface MockOAuthStats {
  /** GET /authorize requests that redirected with a code. */
  authorizations: number;
  /** authorization_code grants that issued tokens. */
  codeExchanges: number;
  /** authorization_code grants refused (reused code, wrong verifier or redirect_uri, unknown code). */
  codeRefusals: number;
  /** refresh_token grant requests received (successful or not). */
  refreshes: number;
  /** refresh_token grants refused or failed (injected or invalid_grant). */
  refreshFailures: number;
}

/** Faults applied to token requests, from config (POST /__mock/faults), the token URL's query or a header. */
export interface TokenFaults {
  /** Delay before answering a refresh, ms. */
  delayMs?: number;
  /** Make refreshes fail: `invalid_grant` (400) or `server_error` (500). */
  fail?: 'invalid_grant' | 'server_error';
  /** `expires_in` of issued access tokens, seconds (default 3600). */
  expiresIn?: number;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  used: boolean;
  /** Refresh token issued for it, revoked if the code is replayed (RFC 6749 §4.1.2). */
  issued?: string;
}

interface RefreshGrant {
  clientId: string;
  scope: string;
  active: boolean;
}

/** A token response as the providers shape it. */
export type TokenBody = Record<string, unknown>;

/** Why a grant was refused: the RFC 6749 §5.2 error code. */
export type GrantError = 'invalid_grant' | 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';

const KEEP_ISSUED = 1000;
export const MOCK_ACCOUNT_EMAIL = 'mock-user@example.com';

const token = (prefix: string): string => `${prefix}${randomBytes(24).toString('base64url')}`;

/** The fake authorization server's memory: codes, refresh tokens, issued access tokens, counters. */
export class MockOAuthState {
  readonly stats: MockOAuthStats = { authorizations: 0, codeExchanges: 0, codeRefusals: 0, refreshes: 0, refreshFailures: 0 };
  faults: TokenFaults = {};
  readonly #codes = new Map<string, PendingCode>();
  readonly #refresh = new Map<string, RefreshGrant>();
  readonly #issuedAccess: string[] = [];
  readonly #issuedRefresh: string[] = [];
  readonly #clientId: string | undefined;

  constructor(clientId?: string) {
    this.#clientId = clientId;
  }

  /** Whether the server accepts this client id (any, unless one was configured). */
  clientAllowed(clientId: string): boolean {
    return this.#clientId === undefined || clientId === this.#clientId;
  }

  /** A fresh single-use code bound to the client, redirect URI and PKCE challenge. */
  issueCode(grant: Omit<PendingCode, 'used' | 'issued'>): string {
    const code = token('mock-code-');
    this.#codes.set(code, { ...grant, used: false });
    this.stats.authorizations++;
    return code;
  }

  /** The authorization_code grant: single use, same client and redirect_uri, verifier matching the challenge. */
  exchangeCode(params: { code: string; clientId: string; redirectUri: string; verifier: string }, faults: TokenFaults): TokenBody | GrantError {
    const pending = this.#codes.get(params.code);
    const refuse = (error: GrantError): GrantError => {
      this.stats.codeRefusals++;
      return error;
    };
    if (pending === undefined) return refuse('invalid_grant');
    if (pending.used) {
      if (pending.issued !== undefined) this.#refresh.delete(pending.issued);
      return refuse('invalid_grant');
    }
    pending.used = true;
    if (pending.clientId !== params.clientId) return refuse('invalid_client');
    if (pending.redirectUri !== params.redirectUri) return refuse('invalid_grant');
    if (params.verifier === '' || !timingSafeEqualString(pkceChallenge(params.verifier), pending.challenge)) return refuse('invalid_grant');
    this.stats.codeExchanges++;
    const body = this.#issue(pending.clientId, pending.scope, faults);
    pending.issued = String(body.refresh_token);
    return body;
  }

  /** The refresh_token grant: the token must be current; it is rotated (the old one stops working). */
  refresh(params: { refreshToken: string; clientId: string }, faults: TokenFaults): TokenBody | GrantError {
    const grant = this.#refresh.get(params.refreshToken);
    if (grant === undefined || !grant.active || grant.clientId !== params.clientId) {
      this.stats.refreshFailures++;
      return 'invalid_grant';
    }
    grant.active = false;
    return this.#issue(grant.clientId, grant.scope, faults);
  }

  /** Every access and refresh token issued so far (most recent last), for tests that grep outputs for them. */
  issued(): { accessTokens: readonly string[]; refreshTokens: readonly string[] } {
    return { accessTokens: this.#issuedAccess, refreshTokens: this.#issuedRefresh };
  }

  #issue(clientId: string, scope: string, faults: TokenFaults): TokenBody {
    const accessToken = token('mock-at-');
    const refreshToken = token('mock-rt-');
    this.#refresh.set(refreshToken, { clientId, scope, active: true });
    remember(this.#issuedAccess, accessToken);
    remember(this.#issuedRefresh, refreshToken);
    const body: TokenBody = { access_token: accessToken, token_type: 'Bearer', expires_in: faults.expiresIn ?? 3600, refresh_token: refreshToken, scope };
    const scopes = scope.split(' ');
    // OpenAI and Google answer an id_token (OIDC); Anthropic names the account and organization instead.
    if (scopes.includes('openid') || scopes.some((s) => s.endsWith('userinfo.email') || s === 'email')) body.id_token = idToken(clientId);
    if (scopes.includes('user:profile')) {
      body.account = { uuid: '00000000-0000-4000-8000-000000000001', email_address: MOCK_ACCOUNT_EMAIL };
      body.organization = { uuid: '00000000-0000-4000-8000-000000000002', name: 'Mock Org' };
    }
    return body;
  }
}

function remember(list: string[], value: string): void {
  list.push(value);
  if (list.length > KEEP_ISSUED) list.shift();
}

/** An unsigned id_token with the claims clients read (the mock signs nothing; Rampart does not verify it either). */
function idToken(clientId: string): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iss: 'mock-oauth', aud: clientId, sub: 'mock-user', email: MOCK_ACCOUNT_EMAIL, email_verified: true, iat: now, exp: now + 3600 })}.`;
}
