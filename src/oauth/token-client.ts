import { request } from 'undici';
import { z } from 'zod';
import type { OAuthProviderSettings } from '../config/oauth-schema.ts';
import type { OAuthTokens } from '../vault/credential-vault.ts';
import { idTokenEmail, isEmail } from './id-token.ts';
import { OAuthError, oauthErrorCode } from './oauth-error.ts';

/** Token responses are a few KiB; anything far bigger is not one and is not read to the end. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The default deadline of one token request (config `oauth.httpTimeoutMs`). */
export const DEFAULT_TOKEN_TIMEOUT_MS = 30_000;

/** What a token request needs of the provider's settings. */
export type TokenEndpoint = Pick<OAuthProviderSettings, 'tokenUrl' | 'clientId' | 'clientSecret' | 'tokenRequestFormat'>;

/** Options shared by both grants. */
export interface TokenRequestOptions {
  /** Deadline of the whole request (connect, headers, body), in ms; default 30 s. */
  timeoutMs?: number;
  /** Aborts the request early (e.g. shutdown). */
  signal?: AbortSignal;
  /** Clock for `expiresAt`; tests inject one. */
  now?: () => number;
}

/** A token endpoint's answer: the tokens to store and the account they belong to, when it said. */
export interface TokenResult {
  tokens: OAuthTokens;
  email?: string;
}

// A header value: printable ASCII, so a token can never split the Authorization header it is sent in.
const headerSafe = z.string().regex(/^[\x21-\x7e]{1,16384}$/);

const tokenResponse = z.object({
  access_token: headerSafe,
  token_type: z.string().max(64).optional(),
  expires_in: z.union([z.number(), z.string().regex(/^\d{1,10}$/).transform(Number)]).optional(),
  refresh_token: headerSafe.optional(),
  scope: z.string().max(4096).optional(),
  id_token: z.string().max(16_384).optional(),
  // Anthropic's token endpoint names the account; OpenAI and Google put it in the id_token.
  account: z.object({ email_address: z.string().optional() }).loose().optional(),
});

/** Exchanges an authorization code for tokens (RFC 6749 §4.1.3 with the PKCE verifier, RFC 7636 §4.5). */
export function exchangeCode(
  endpoint: TokenEndpoint,
  grant: { code: string; codeVerifier: string; redirectUri: string; state?: string },
  options: TokenRequestOptions = {},
): Promise<TokenResult> {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: endpoint.clientId,
    code_verifier: grant.codeVerifier,
  };
  // Claude's token endpoint wants the state echoed in its JSON body; the others take no state here.
  if (grant.state !== undefined) params.state = grant.state;
  return tokenRequest(endpoint, params, options);
}

/** Trades a refresh token for a new access token (RFC 6749 §6); the answer may rotate the refresh token. */
export function refreshTokens(endpoint: TokenEndpoint, refreshToken: string, options: TokenRequestOptions = {}): Promise<TokenResult> {
  return tokenRequest(endpoint, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: endpoint.clientId }, options);
}

async function tokenRequest(endpoint: TokenEndpoint, params: Record<string, string>, options: TokenRequestOptions): Promise<TokenResult> {
  if (endpoint.clientSecret !== undefined) params.client_secret = endpoint.clientSecret;
  const json = endpoint.tokenRequestFormat === 'json';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal === undefined ? deadline : AbortSignal.any([deadline, options.signal]);
  const grant = params.grant_type;
  let text: string;
  let status: number;
  try {
    // undici's request() never follows redirects: a token endpoint that redirects is refused below.
    const response = await request(endpoint.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': 'rampart',
      },
      body: json ? JSON.stringify(params) : new URLSearchParams(params).toString(),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // Token calls are rare: no idle socket is kept to hold a CLI process open.
      reset: true,
    });
    status = response.statusCode;
    text = await readCapped(response.body);
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    if (deadline.aborted) throw new OAuthError('timeout', `the token endpoint did not answer the ${grant} request within ${timeoutMs} ms`);
    // The cause's message may name the host, never a token: the body is not part of it.
    throw new OAuthError('network', `the ${grant} request to the token endpoint failed: ${describe(error)}`);
  }
  return parseTokenResponse(status, text, grant ?? 'token', options.now ?? Date.now);
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_TOKEN_RESPONSE_BYTES) {
      body.destroy();
      throw new OAuthError('bad_response', `the token endpoint answered more than ${MAX_TOKEN_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseTokenResponse(status: number, text: string, grant: string, now: () => number): TokenResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status >= 300 && status < 400) throw new OAuthError('http_error', `the token endpoint answered a redirect (${status}); redirects are not followed`);
  if (status !== 200) {
    const code = typeof body === 'object' && body !== null ? oauthErrorCode((body as Record<string, unknown>).error) : undefined;
    if (code === 'invalid_grant') throw new OAuthError('invalid_grant', `the token endpoint refused the ${grant} (invalid_grant: expired, revoked or already used)`);
    if (code !== undefined) throw new OAuthError('provider_error', `the token endpoint refused the ${grant} request (${status} ${code})`);
    throw new OAuthError('http_error', `the token endpoint answered ${status} to the ${grant} request`);
  }
  const parsed = tokenResponse.safeParse(body);
  if (!parsed.success) throw new OAuthError('bad_response', `the token endpoint's answer to the ${grant} request is not a valid token response`);
  const data = parsed.data;
  const tokens: OAuthTokens = { accessToken: data.access_token };
  if (data.refresh_token !== undefined) tokens.refreshToken = data.refresh_token;
  if (data.expires_in !== undefined && Number.isFinite(data.expires_in) && data.expires_in >= 0) tokens.expiresAt = Math.floor(now() + data.expires_in * 1000);
  if (data.token_type !== undefined) tokens.tokenType = data.token_type;
  if (data.scope !== undefined) tokens.scope = data.scope;
  if (data.id_token !== undefined) tokens.idToken = data.id_token;
  const claudeEmail = data.account?.email_address;
  const email = isEmail(claudeEmail) ? claudeEmail : idTokenEmail(data.id_token);
  return email === undefined ? { tokens } : { tokens, email };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? error.message.split('\n')[0]!.slice(0, 200) : `${code}`;
}
