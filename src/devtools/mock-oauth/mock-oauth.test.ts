import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkce } from '../../oauth/pkce.ts';
import { type MockOAuth, FAULT_HEADER, startMockOAuth } from './index.ts';

describe('mock-oauth', () => {
  let mock: MockOAuth;
  const redirectUri = 'http://127.0.0.1:5/cb';

  beforeAll(async () => {
    mock = await startMockOAuth({ port: 0, clientId: 'cid' });
  });
  afterAll(() => mock.close());

  const authorize = (params: Record<string, string>) => fetch(`${mock.url}/authorize?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
  const token = (body: Record<string, string>, headers: Record<string, string> = {}, query = '') =>
    fetch(`${mock.url}/token${query}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  const stats = async () => (await (await fetch(`${mock.url}/__mock/stats`)).json()) as Record<string, number>;

  async function code(pkce = createPkce()): Promise<{ code: string; verifier: string }> {
    const answer = await authorize({ response_type: 'code', client_id: 'cid', redirect_uri: redirectUri, state: 'st', code_challenge: pkce.challenge, code_challenge_method: 'S256', scope: 'openid offline_access' });
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location')!);
    expect(location.searchParams.get('state')).toBe('st');
    return { code: location.searchParams.get('code')!, verifier: pkce.verifier };
  }

  it('redirects only to loopback http URLs and wants S256 and the known client', async () => {
    expect((await authorize({ response_type: 'code', client_id: 'cid', redirect_uri: 'https://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })).status).toBe(400);
    const plain = await authorize({ response_type: 'code', client_id: 'cid', redirect_uri: redirectUri, state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' });
    expect(new URL(plain.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const stranger = await authorize({ response_type: 'code', client_id: 'other', redirect_uri: redirectUri, state: 's', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    expect(new URL(stranger.headers.get('location')!).searchParams.get('error')).toBe('unauthorized_client');
  });

  it('issues real-shaped tokens once per code; a replayed code is refused and revokes what it gave', async () => {
    const { code: c, verifier } = await code();
    const first = await token({ grant_type: 'authorization_code', code: c, client_id: 'cid', redirect_uri: redirectUri, code_verifier: verifier });
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid offline_access' });
    expect(body.access_token).toMatch(/^mock-at-/);
    expect(typeof body.id_token).toBe('string');
    const replay = await token({ grant_type: 'authorization_code', code: c, client_id: 'cid', redirect_uri: redirectUri, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_grant' });
    const refresh = await token({ grant_type: 'refresh_token', refresh_token: String(body.refresh_token), client_id: 'cid' });
    expect(await refresh.json()).toEqual({ error: 'invalid_grant' });
    expect(mock.state.issued().accessTokens).toContain(body.access_token);
  });

  it('counts refreshes and injects delay and failures by header or query', async () => {
    const { code: c, verifier } = await code();
    const tokens = (await (await token({ grant_type: 'authorization_code', code: c, client_id: 'cid', redirect_uri: redirectUri, code_verifier: verifier }, {}, '?expires_in=5')).json()) as Record<string, unknown>;
    expect(tokens.expires_in).toBe(5);
    const before = await stats();
    const failed = await token({ grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token), client_id: 'cid' }, { [FAULT_HEADER]: 'fail=server_error' });
    expect(failed.status).toBe(500);
    const started = Date.now();
    const ok = await token({ grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token), client_id: 'cid' }, {}, '?delay=100');
    expect(ok.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    const after = await stats();
    expect(after.refreshes).toBe(before.refreshes! + 2);
    expect(after.refreshFailures).toBe(before.refreshFailures! + 1);
  });
});
