import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providersSchema } from '../config/provider-schema.ts';
import { type MockOAuth, startMockOAuth } from '../devtools/mock-oauth/index.ts';
import { loginTargetProblem, startOAuthLogin } from './login-flow.ts';
import { OAuthError } from './oauth-error.ts';
import { MemoryVault, oauthConfigFor } from './test-support.ts';

describe('OAuth login flow (against mock-oauth)', () => {
  let mock: MockOAuth;
  let config: ReturnType<typeof oauthConfigFor>;

  beforeAll(async () => {
    mock = await startMockOAuth({ port: 0 });
    config = oauthConfigFor(mock.url);
  });
  afterAll(() => mock.close());

  const base = (vault: MemoryVault, headless: boolean) => ({ settings: config.claude, oauth: 'claude' as const, providerId: 'claude-sub', vault, headless, callbackTimeoutMs: 5_000, httpTimeoutMs: 5_000 });

  /** The browser: open the authorization URL, follow its redirect to the callback; returns the callback answer. */
  async function browse(url: string): Promise<{ location: string; callback?: Response }> {
    const authorized = await fetch(url, { redirect: 'manual' });
    const location = authorized.headers.get('location')!;
    return { location };
  }

  it('browser mode: callback on 127.0.0.1, state checked, code exchanged, tokens stored in the vault only', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin({ ...base(vault, false), label: 'work' });
    expect(session.listenerPort).toBeGreaterThan(0);
    expect(session.redirectUri).toBe(`http://localhost:${session.listenerPort}/callback`);
    const { location } = await browse(session.url);
    // The browser resolves localhost; the test goes straight to the listener's address.
    const callback = await fetch(location.replace('//localhost:', '//127.0.0.1:'));
    expect(callback.status).toBe(200);
    const result = await session.result;
    expect(result.email).toBe('mock-user@example.com');
    const stored = (await vault.list())[0]!;
    expect(stored).toMatchObject({ id: result.credentialId, providerId: 'claude-sub', kind: 'oauth', label: 'work' });
    expect(stored.meta).toMatchObject({ oauth: 'claude', email: 'mock-user@example.com' });
    expect(typeof stored.meta.expiresAt).toBe('string');
    const secret = await vault.readSecret(result.credentialId);
    expect(secret.kind).toBe('oauth');
    const { accessTokens, refreshTokens } = mock.state.issued();
    if (secret.kind === 'oauth') {
      expect(secret.tokens.accessToken).toBe(accessTokens.at(-1));
      expect(secret.tokens.refreshToken).toBe(refreshTokens.at(-1));
    }
    // Never a token in the listed meta.
    expect(JSON.stringify(stored)).not.toMatch(/mock-(at|rt)-/);
  });

  it('headless mode: no listener, the pasted redirect URL completes the login', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin({ ...base(vault, true), id: 'claude-main' });
    expect(session.listenerPort).toBeUndefined();
    const { location } = await browse(session.url);
    session.submit(location);
    await expect(session.result).resolves.toMatchObject({ credentialId: 'claude-main' });
  });

  it('headless mode accepts Claude\'s code#state', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin(base(vault, true));
    const { location } = await browse(session.url);
    const q = new URL(location).searchParams;
    session.submit(`${q.get('code')}#${q.get('state')}`);
    await expect(session.result).resolves.toMatchObject({ credentialId: expect.any(String) as string });
  });

  it('refuses a pasted redirect with another login\'s state, and stores nothing', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin(base(vault, true));
    const other = await startOAuthLogin(base(vault, true));
    const { location } = await browse(other.url);
    session.submit(location);
    const error = await session.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).reason).toBe('state_mismatch');
    other.cancel();
    await other.result.catch(() => undefined);
    expect(await vault.list()).toEqual([]);
  });

  it('browser mode refuses a forged callback (wrong state) and closes the listener', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin(base(vault, false));
    const forged = await fetch(`http://127.0.0.1:${session.listenerPort}/callback?code=x&state=forged`);
    expect(forged.status).toBe(400);
    await expect(session.result).rejects.toMatchObject({ reason: 'state_mismatch' });
    await expect(fetch(`http://127.0.0.1:${session.listenerPort}/callback`)).rejects.toThrow();
  });

  it('a denied consent ends the login with access_denied', async () => {
    const vault = new MemoryVault();
    const session = await startOAuthLogin(base(vault, true));
    const { location } = await browse(`${session.url}&deny=1`);
    session.submit(location);
    await expect(session.result).rejects.toMatchObject({ reason: 'access_denied' });
  });

  it('times out without a callback', async () => {
    const session = await startOAuthLogin({ ...base(new MemoryVault(), false), callbackTimeoutMs: 100 });
    await expect(session.result).rejects.toMatchObject({ reason: 'callback_timeout' });
  });
});

describe('loginTargetProblem', () => {
  const providers = providersSchema.parse([
    { id: 'claude-sub', type: 'anthropic', credentials: [{ apiKey: 'k' }], models: ['m1'] },
    { id: 'oa', type: 'openai', credentials: [{ apiKey: 'k' }], models: ['m2'] },
    { id: 'gem', type: 'gemini', credentials: [{ apiKey: 'k' }], models: ['m3'] },
  ]);
  it('pairs each login with the provider types its tokens can call', () => {
    expect(loginTargetProblem(providers, 'claude', 'claude-sub')).toBeUndefined();
    expect(loginTargetProblem(providers, 'codex', 'oa')).toBeUndefined();
    expect(loginTargetProblem(providers, 'gemini', 'gem')).toBeUndefined();
    expect(loginTargetProblem(providers, 'claude', 'oa')).toMatch(/type openai; a claude login needs type anthropic/);
    expect(loginTargetProblem(providers, 'gemini', 'nope')).toMatch(/no provider "nope"/);
  });
});

describe('startConfiguredLogin', () => {
  it('refuses a provider that cannot take the tokens, before listening', async () => {
    const { startConfiguredLogin } = await import('./login-flow.ts');
    const providers = providersSchema.parse([{ id: 'oa', type: 'openai', credentials: [{ apiKey: 'k' }], models: ['m'] }]);
    const config = { providers, oauth: oauthConfigFor('http://127.0.0.1:9') };
    await expect(startConfiguredLogin(config, new MemoryVault(), { oauth: 'gemini', providerId: 'oa' })).rejects.toMatchObject({ reason: 'invalid_target' });
    const session = await startConfiguredLogin(config, new MemoryVault(), { oauth: 'codex', providerId: 'oa', headless: true });
    expect(new URL(session.url).searchParams.get('redirect_uri')).toBe('http://localhost:0/auth/callback');
    session.cancel();
    await expect(session.result).rejects.toMatchObject({ reason: 'cancelled' });
  });
});
