import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.ts';
import { oauthSchema } from './oauth-schema.ts';

describe('oauth config', () => {
  it('defaults to the providers\' real endpoints and ports, callbacks on 127.0.0.1', () => {
    const config = oauthSchema.parse({});
    expect(config.claude).toMatchObject({ authorizeUrl: 'https://claude.ai/oauth/authorize', callbackHost: '127.0.0.1', callbackPort: 54545, callbackPath: '/callback', tokenRequestFormat: 'json' });
    expect(config.codex).toMatchObject({ tokenUrl: 'https://auth.openai.com/oauth/token', callbackPort: 1455, callbackPath: '/auth/callback', tokenRequestFormat: 'form' });
    expect(config.gemini).toMatchObject({ tokenUrl: 'https://oauth2.googleapis.com/token', callbackPort: 8085, callbackPath: '/oauth2callback' });
    expect(config.gemini.clientSecret).toMatch(/^GOCSPX-/);
    expect(config.claude.clientSecret).toBeUndefined();
    expect(config.httpTimeoutMs).toBe(30_000);
    expect(config.callbackTimeoutMs).toBe(300_000);
    expect(config.claude.refreshMarginMs).toBe(300_000);
  });

  it.each(['0.0.0.0', '::', '192.168.1.5', 'localhost', '::1', '127.0.0.2'])('refuses callbackHost %s at boot', (host) => {
    expect(() => parseConfig(`oauth:\n  claude:\n    callbackHost: "${host}"\n`, { source: null })).toThrow(/oauth\.claude\.callbackHost: the OAuth callback listener binds only 127\.0\.0\.1/);
  });

  it('accepts 127.0.0.1 and port 0 for tests', () => {
    const { config } = parseConfig('oauth:\n  codex:\n    callbackHost: 127.0.0.1\n    callbackPort: 0\n', { source: null });
    expect(config.oauth.codex.callbackPort).toBe(0);
  });

  it('refuses plain-http endpoints off this machine, credentials in URLs and a redirect host other than loopback', () => {
    expect(() => parseConfig('oauth:\n  gemini:\n    tokenUrl: http://example.com/token\n', { source: null })).toThrow(/oauth\.gemini\.tokenUrl: must be an https URL/);
    expect(() => parseConfig('oauth:\n  gemini:\n    tokenUrl: https://u:p@example.com/token\n', { source: null })).toThrow(/must not contain credentials/);
    expect(() => parseConfig('oauth:\n  claude:\n    redirectHost: example.com\n', { source: null })).toThrow(/oauth\.claude\.redirectHost/);
    const { config } = parseConfig('oauth:\n  claude:\n    tokenUrl: http://127.0.0.1:9/token?delay=5\n', { source: null });
    expect(config.oauth.claude.tokenUrl).toBe('http://127.0.0.1:9/token?delay=5');
  });
});
