import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import { type MockOAuth, startMockOAuth } from '../devtools/mock-oauth/index.ts';
import { CooldownTracker } from '../routing/cooldowns.ts';
import { MemoryCooldownStore } from '../storage/memory/memory-cooldown-store.ts';
import type { OAuthTokens } from '../vault/credential-vault.ts';
import { OAuthError } from './oauth-error.ts';
import { MemoryVault, oauthConfigFor } from './test-support.ts';
import { exchangeCode } from './token-client.ts';
import { createPkce } from './pkce.ts';
import { TokenRefresher } from './token-refresher.ts';

describe('TokenRefresher (against mock-oauth)', () => {
  let mock: MockOAuth;

  beforeAll(async () => {
    mock = await startMockOAuth({ port: 0 });
  });
  afterAll(() => mock.close());
  afterEach(async () => {
    await fetch(`${mock.url}/__mock/faults`, { method: 'DELETE' });
  });

  const stats = async () => (await (await fetch(`${mock.url}/__mock/stats`)).json()) as { refreshes: number; refreshFailures: number };

  /** A real login's tokens from the mock (so the refresh token is one it will honour). */
  async function login(): Promise<OAuthTokens> {
    const pkce = createPkce();
    const redirectUri = 'http://localhost:1/cb';
    const authorize = await fetch(`${mock.url}/authorize?response_type=code&client_id=${encodeURIComponent(oauthConfigFor(mock.url).claude.clientId)}&redirect_uri=${encodeURIComponent(redirectUri)}&scope=user:profile&state=s&code_challenge=${pkce.challenge}&code_challenge_method=S256`, { redirect: 'manual' });
    const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
    return (await exchangeCode(oauthConfigFor(mock.url).claude, { code, codeVerifier: pkce.verifier, redirectUri })).tokens;
  }

  async function setup(options: { expiresInMs: number; marginMs?: number; now?: () => number }) {
    const vault = new MemoryVault();
    const tokens = await login();
    const now = options.now ?? Date.now;
    await vault.add({ id: 'claude#1', providerId: 'claude', meta: { oauth: 'claude', email: 'mock-user@example.com' }, secret: { kind: 'oauth', oauth: 'claude', tokens: { ...tokens, expiresAt: now() + options.expiresInMs } } });
    const config = oauthConfigFor(mock.url, { claude: { authorizeUrl: `${mock.url}/authorize`, tokenUrl: `${mock.url}/token`, refreshMarginMs: options.marginMs ?? 300_000 } });
    const cooldowns = new CooldownTracker(new MemoryCooldownStore());
    const audit = new MemoryAuditLog();
    const refresher = new TokenRefresher({ vault, oauth: config, cooldowns, audit, now });
    return { vault, tokens, cooldowns, audit, refresher };
  }

  it('uses a fresh token from the vault without calling the token endpoint', async () => {
    const { refresher, tokens } = await setup({ expiresInMs: 3_600_000 });
    const before = (await stats()).refreshes;
    expect(await refresher.accessToken('claude#1')).toBe(tokens.accessToken);
    expect(await refresher.accessToken('claude#1')).toBe(tokens.accessToken);
    expect((await stats()).refreshes).toBe(before);
  });

  it('refreshes early, inside the margin, and saves the rotated refresh token and new expiry', async () => {
    // 4 minutes left, 5-minute margin: refresh now.
    const { refresher, tokens, vault, audit } = await setup({ expiresInMs: 240_000 });
    const before = (await stats()).refreshes;
    const fresh = await refresher.accessToken('claude#1');
    expect(fresh).not.toBe(tokens.accessToken);
    expect((await stats()).refreshes).toBe(before + 1);
    const saved = await vault.readSecret('claude#1');
    if (saved.kind !== 'oauth') throw new Error('not oauth');
    expect(saved.tokens.accessToken).toBe(fresh);
    expect(saved.tokens.refreshToken).not.toBe(tokens.refreshToken);
    expect(saved.tokens.refreshToken).toBe(mock.state.issued().refreshTokens.at(-1));
    expect(saved.tokens.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    const stored = await vault.get('claude#1');
    expect(stored?.meta).toMatchObject({ oauth: 'claude', email: 'mock-user@example.com', expiresAt: new Date(saved.tokens.expiresAt!).toISOString() });
    expect(audit.events).toEqual([{ type: 'token_refresh', actor: 'system', outcome: 'success', details: { credentialId: 'claude#1', oauth: 'claude' } }]);
  });

  it('honours the configured margin per provider', async () => {
    // 6 minutes left: outside the default 5-minute margin, inside a 10-minute one.
    const relaxed = await setup({ expiresInMs: 360_000 });
    const before = (await stats()).refreshes;
    expect(await relaxed.refresher.accessToken('claude#1')).toBe(relaxed.tokens.accessToken);
    expect((await stats()).refreshes).toBe(before);
    const eager = await setup({ expiresInMs: 360_000, marginMs: 600_000 });
    expect(await eager.refresher.accessToken('claude#1')).not.toBe(eager.tokens.accessToken);
    expect((await stats()).refreshes).toBe(before + 1);
  });

  it('uses the rotated refresh token for the next refresh (the old one is dead at the provider)', async () => {
    let clock = Date.now();
    const { refresher } = await setup({ expiresInMs: 0, now: () => clock });
    const first = await refresher.accessToken('claude#1');
    // Jump past the new token's expiry: a second refresh must succeed, which only the rotated token allows.
    clock += 3_600_000;
    const second = await refresher.accessToken('claude#1');
    expect(second).not.toBe(first);
    expect(second).toBe(mock.state.issued().accessTokens.at(-1));
  });

  it('single flight: 100 concurrent callers on an expired token cause exactly 1 refresh', async () => {
    const { refresher } = await setup({ expiresInMs: -1_000 });
    await fetch(`${mock.url}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay: 200 }) });
    const before = (await stats()).refreshes;
    const tokens = await Promise.all(Array.from({ length: 100 }, () => refresher.accessToken('claude#1')));
    expect(new Set(tokens).size).toBe(1);
    expect((await stats()).refreshes).toBe(before + 1);
  });

  it('a failed refresh cools the credential (auth, all models), audits it and throws an error without secrets', async () => {
    const { refresher, tokens, cooldowns, audit } = await setup({ expiresInMs: -1_000 });
    await fetch(`${mock.url}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail: 'invalid_grant' }) });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => refresher.accessToken('claude#1')));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const error = (results[0] as PromiseRejectedResult).reason as OAuthError;
    expect(error).toBeInstanceOf(OAuthError);
    expect(error.reason).toBe('invalid_grant');
    expect(error.message).not.toContain(tokens.refreshToken!);
    expect(error.message).not.toContain(tokens.accessToken);
    expect(cooldowns.check('claude#1', 'any-model')).toBeGreaterThan(Date.now());
    expect(cooldowns.list()).toMatchObject([{ credentialId: 'claude#1', model: '*', kind: 'auth' }]);
    // One flight, one failure event.
    expect(audit.events).toEqual([{ type: 'token_refresh', actor: 'system', outcome: 'failure', details: { credentialId: 'claude#1', oauth: 'claude', reason: 'invalid_grant' } }]);
    expect(JSON.stringify(audit.events)).not.toMatch(/mock-(at|rt)-/);
  });

  it('a refresh that outlives the deadline fails as a timeout', async () => {
    const { vault, cooldowns } = await setup({ expiresInMs: -1_000 });
    const config = oauthConfigFor(mock.url, { httpTimeoutMs: 150 });
    await fetch(`${mock.url}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay: 1_000 }) });
    const slow = new TokenRefresher({ vault, oauth: config, cooldowns, audit: new MemoryAuditLog() });
    const started = Date.now();
    await expect(slow.accessToken('claude#1')).rejects.toMatchObject({ reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('refuses an api-key credential and one without a refresh token', async () => {
    const vault = new MemoryVault();
    await vault.add({ id: 'k', providerId: 'p', secret: { kind: 'api_key', apiKey: 'sk-x' } });
    await vault.add({ id: 'o', providerId: 'p', secret: { kind: 'oauth', oauth: 'gemini', tokens: { accessToken: 'at', expiresAt: 0 } } });
    const audit = new MemoryAuditLog();
    const refresher = new TokenRefresher({ vault, oauth: oauthConfigFor(mock.url), cooldowns: new CooldownTracker(new MemoryCooldownStore()), audit });
    await expect(refresher.accessToken('k')).rejects.toMatchObject({ reason: 'not_oauth' });
    await expect(refresher.accessToken('o')).rejects.toMatchObject({ reason: 'no_refresh_token' });
    await expect(refresher.accessToken('missing')).rejects.toMatchObject({ reason: 'not_oauth' });
    expect(audit.events.map((e) => e.outcome)).toEqual(['failure', 'failure', 'failure']);
  });

  it('keeps working from memory when the vault cannot be written, and says so in the audit log', async () => {
    const { refresher, vault, audit } = await setup({ expiresInMs: -1_000 });
    vault.failWrites = true;
    const token = await refresher.accessToken('claude#1');
    expect(token).toBe(mock.state.issued().accessTokens.at(-1));
    expect(await refresher.accessToken('claude#1')).toBe(token);
    expect(audit.events).toMatchObject([{ outcome: 'failure', details: { reason: 'vault_write_failed' } }]);
  });
});

