import { type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOAuth, startMockOAuth } from '../devtools/mock-oauth/index.ts';
import { OAuthError } from './oauth-error.ts';
import { createPkce } from './pkce.ts';
import { MAX_TOKEN_RESPONSE_BYTES, exchangeCode, refreshTokens } from './token-client.ts';

/** A local server answering every request with `respond`, for the client's failure paths. */
async function fakeEndpoint(respond: (res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/token`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('token client', () => {
  let mock: MockOAuth;
  const redirectUri = 'http://localhost:54545/callback';

  beforeAll(async () => {
    mock = await startMockOAuth({ port: 0 });
  });
  afterAll(() => mock.close());

  /** Runs the browser's part: /authorize redirects with a code. */
  async function authorize(challenge: string, scope = 'user:profile'): Promise<string> {
    const url = `${mock.url}/authorize?response_type=code&client_id=cid&redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}&state=s&code_challenge=${challenge}&code_challenge_method=S256`;
    const response = await fetch(url, { redirect: 'manual' });
    return new URL(response.headers.get('location')!).searchParams.get('code')!;
  }

  for (const format of ['json', 'form'] as const) {
    it(`exchanges a code (${format} body), then refreshes with rotation`, async () => {
      const endpoint = { tokenUrl: `${mock.url}/token`, clientId: 'cid', clientSecret: undefined, tokenRequestFormat: format };
      const pkce = createPkce();
      const code = await authorize(pkce.challenge);
      const result = await exchangeCode(endpoint, { code, codeVerifier: pkce.verifier, redirectUri }, { now: () => 1_000 });
      expect(result.tokens.accessToken).toMatch(/^mock-at-/);
      expect(result.tokens.refreshToken).toMatch(/^mock-rt-/);
      expect(result.tokens.expiresAt).toBe(1_000 + 3_600_000);
      expect(result.tokens.tokenType).toBe('Bearer');
      expect(result.email).toBe('mock-user@example.com');
      const refreshed = await refreshTokens(endpoint, result.tokens.refreshToken!);
      expect(refreshed.tokens.refreshToken).not.toBe(result.tokens.refreshToken);
      // The old refresh token was rotated away.
      await expect(refreshTokens(endpoint, result.tokens.refreshToken!)).rejects.toMatchObject({ reason: 'invalid_grant' });
    });
  }

  it('reads the account email from an OpenID id_token', async () => {
    const endpoint = { tokenUrl: `${mock.url}/token`, clientId: 'cid', clientSecret: 'public-secret', tokenRequestFormat: 'form' as const };
    const pkce = createPkce();
    const code = await authorize(pkce.challenge, 'openid email offline_access');
    const result = await exchangeCode(endpoint, { code, codeVerifier: pkce.verifier, redirectUri });
    expect(result.tokens.idToken).toBeDefined();
    expect(result.email).toBe('mock-user@example.com');
  });

  it('refuses a reused code, a wrong verifier and a different redirect_uri with invalid_grant', async () => {
    const endpoint = { tokenUrl: `${mock.url}/token`, clientId: 'cid', clientSecret: undefined, tokenRequestFormat: 'json' as const };
    const pkce = createPkce();
    const code = await authorize(pkce.challenge);
    await exchangeCode(endpoint, { code, codeVerifier: pkce.verifier, redirectUri });
    const reuse = await exchangeCode(endpoint, { code, codeVerifier: pkce.verifier, redirectUri }).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(OAuthError);
    expect((reuse as OAuthError).reason).toBe('invalid_grant');
    expect((reuse as OAuthError).message).not.toContain(code);

    const other = createPkce();
    const code2 = await authorize(other.challenge);
    await expect(exchangeCode(endpoint, { code: code2, codeVerifier: createPkce().verifier, redirectUri })).rejects.toMatchObject({ reason: 'invalid_grant' });
    const code3 = await authorize(other.challenge);
    await expect(exchangeCode(endpoint, { code: code3, codeVerifier: other.verifier, redirectUri: 'http://localhost:1/elsewhere' })).rejects.toMatchObject({ reason: 'invalid_grant' });
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    const target = await fakeEndpoint((res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"stolen"}');
    });
    const redirecting = await fakeEndpoint((res) => res.writeHead(307, { location: target.url }).end());
    try {
      const error = await refreshTokens({ tokenUrl: redirecting.url, clientId: 'c', clientSecret: undefined, tokenRequestFormat: 'form' }, 'rt').catch((e: unknown) => e);
      expect((error as OAuthError).reason).toBe('http_error');
      expect((error as OAuthError).message).toContain('redirect');
      expect(hits).toBe(0);
    } finally {
      await redirecting.close();
      await target.close();
    }
  });

  it('caps the response size and times out', async () => {
    const huge = await fakeEndpoint((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"access_token":"${'a'.repeat(MAX_TOKEN_RESPONSE_BYTES)}"}`));
    const silent = await fakeEndpoint(() => undefined);
    try {
      const endpoint = { clientId: 'c', clientSecret: undefined, tokenRequestFormat: 'form' as const };
      await expect(refreshTokens({ ...endpoint, tokenUrl: huge.url }, 'rt')).rejects.toMatchObject({ reason: 'bad_response' });
      const started = Date.now();
      await expect(refreshTokens({ ...endpoint, tokenUrl: silent.url }, 'rt', { timeoutMs: 200 })).rejects.toMatchObject({ reason: 'timeout' });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await huge.close();
      await silent.close();
    }
  });

  it('never puts a token or the response body into its errors', async () => {
    const leaky = await fakeEndpoint((res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error","error_description":"refresh token rt-SECRET-123 is bad"}'));
    try {
      const error = (await refreshTokens({ tokenUrl: leaky.url, clientId: 'c', clientSecret: undefined, tokenRequestFormat: 'form' }, 'rt-SECRET-123').catch((e: unknown) => e)) as OAuthError;
      expect(error.reason).toBe('provider_error');
      expect(error.message).not.toContain('SECRET');
      expect(error.message).toContain('server_error');
    } finally {
      await leaky.close();
    }
  });

  it('refuses an answer that is not a token response (e.g. a token with a line break)', async () => {
    const bad = await fakeEndpoint((res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"a\\r\\nx-injected: 1"}'));
    try {
      await expect(refreshTokens({ tokenUrl: bad.url, clientId: 'c', clientSecret: undefined, tokenRequestFormat: 'form' }, 'rt')).rejects.toMatchObject({ reason: 'bad_response' });
    } finally {
      await bad.close();
    }
  });
});
