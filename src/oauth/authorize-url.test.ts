import { describe, expect, it } from 'vitest';
import { oauthSchema } from '../config/oauth-schema.ts';
import { buildAuthorizeUrl, redirectUriFor } from './authorize-url.ts';

const config = oauthSchema.parse({});

describe('buildAuthorizeUrl', () => {
  it('builds the Claude URL with PKCE S256, state, scopes and code=true', () => {
    const redirectUri = redirectUriFor(config.claude, config.claude.callbackPort);
    expect(redirectUri).toBe('http://localhost:54545/callback');
    const url = new URL(buildAuthorizeUrl(config.claude, { redirectUri, state: 'st', challenge: 'ch' }));
    expect(`${url.origin}${url.pathname}`).toBe('https://claude.ai/oauth/authorize');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      code: 'true',
      client_id: config.claude.clientId,
      response_type: 'code',
      redirect_uri: 'http://localhost:54545/callback',
      scope: 'org:create_api_key user:profile user:inference',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('adds Codex and Gemini extras (offline access) on their own ports and paths', () => {
    const codex = new URL(buildAuthorizeUrl(config.codex, { redirectUri: redirectUriFor(config.codex, 1455), state: 's', challenge: 'c' }));
    expect(codex.searchParams.get('redirect_uri')).toBe('http://localhost:1455/auth/callback');
    expect(codex.searchParams.get('scope')).toContain('offline_access');
    expect(codex.searchParams.get('codex_cli_simplified_flow')).toBe('true');
    const gemini = new URL(buildAuthorizeUrl(config.gemini, { redirectUri: redirectUriFor(config.gemini, 8085), state: 's', challenge: 'c' }));
    expect(gemini.searchParams.get('redirect_uri')).toBe('http://localhost:8085/oauth2callback');
    expect(gemini.searchParams.get('access_type')).toBe('offline');
    expect(gemini.searchParams.get('prompt')).toBe('consent');
  });

  it('never lets a configured extra replace a PKCE or state parameter', () => {
    const settings = { ...config.claude, extraAuthorizeParams: { code_challenge_method: 'plain', state: 'fixed', foo: 'bar' } };
    const url = new URL(buildAuthorizeUrl(settings, { redirectUri: 'http://localhost:1/cb', state: 'real', challenge: 'ch' }));
    expect(url.searchParams.getAll('code_challenge_method')).toEqual(['S256']);
    expect(url.searchParams.getAll('state')).toEqual(['real']);
    expect(url.searchParams.get('foo')).toBe('bar');
  });
});
