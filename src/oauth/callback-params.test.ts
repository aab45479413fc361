import { describe, expect, it } from 'vitest';
import { checkCallback, parsePastedCallback } from './callback-params.ts';
import { OAuthError } from './oauth-error.ts';

describe('parsePastedCallback', () => {
  it('reads a whole redirect URL, a query string and Claude\'s code#state', () => {
    expect(parsePastedCallback(' http://localhost:54545/callback?code=abc&state=xyz \n')).toEqual({ code: 'abc', state: 'xyz', error: undefined });
    expect(parsePastedCallback('?code=abc&state=xyz')).toEqual({ code: 'abc', state: 'xyz', error: undefined });
    expect(parsePastedCallback('code=abc&state=xyz')).toEqual({ code: 'abc', state: 'xyz', error: undefined });
    expect(parsePastedCallback('abc#xyz')).toEqual({ code: 'abc', state: 'xyz' });
    expect(parsePastedCallback('http://localhost:1455/auth/callback?error=access_denied&state=s')).toEqual({ code: undefined, state: 's', error: 'access_denied' });
  });

  it('leaves a bare code without state, which checkCallback then refuses', () => {
    const params = parsePastedCallback('abc');
    expect(params).toEqual({ code: 'abc' });
    const checked = checkCallback(params, 'expected');
    expect(checked).toBeInstanceOf(OAuthError);
    expect((checked as OAuthError).reason).toBe('state_mismatch');
  });
});

describe('checkCallback', () => {
  it('accepts a matching state with a code', () => {
    expect(checkCallback({ code: 'c0de', state: 'st' }, 'st')).toEqual({ code: 'c0de' });
  });

  it('refuses a state mismatch before looking at anything else', () => {
    const checked = checkCallback({ code: 'c0de', state: 'other', error: 'access_denied' }, 'st');
    expect(checked).toBeInstanceOf(OAuthError);
    expect((checked as OAuthError).reason).toBe('state_mismatch');
  });

  it('reports provider errors and missing codes, never echoing free text', () => {
    expect((checkCallback({ state: 'st', error: 'access_denied' }, 'st') as OAuthError).reason).toBe('access_denied');
    const odd = checkCallback({ state: 'st', error: '<script>alert(1)</script>' }, 'st') as OAuthError;
    expect(odd.reason).toBe('provider_error');
    expect(odd.message).not.toContain('script');
    expect((checkCallback({ state: 'st' }, 'st') as OAuthError).reason).toBe('bad_callback');
    expect((checkCallback({ state: 'st', code: 'has space' }, 'st') as OAuthError).reason).toBe('bad_callback');
  });
});
