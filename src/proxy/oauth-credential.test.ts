import { describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { failureKind } from '../routing/failover.ts';
import type { PooledCredential } from '../routing/router.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import { signedCredential } from './oauth-credential.ts';

const keyed: PooledCredential = { id: 'p#0', apiKey: 'sk', weight: 1 };
const pooled: PooledCredential = { id: 'claude#1', apiKey: '', auth: 'oauth', oauthProvider: 'claude', weight: 1 };

describe('signedCredential', () => {
  it('leaves API-key credentials alone and asks nothing', async () => {
    const tokens = { accessToken: () => Promise.reject(new Error('must not be called')) };
    expect(await signedCredential(tokens, keyed)).toBe(keyed);
  });

  it('signs an OAuth credential with a fresh token in a copy, leaving the pool entry empty', async () => {
    const asked: string[] = [];
    const signed = await signedCredential({ accessToken: (id) => (asked.push(id), Promise.resolve('at-1')) }, pooled);
    expect(signed).toEqual({ ...pooled, apiKey: 'at-1' });
    expect(pooled.apiKey).toBe('');
    expect(asked).toEqual(['claude#1']);
  });

  it('turns a refresh failure into an upstream-auth failure, so failover moves on and the credential cools', async () => {
    const error = await signedCredential({ accessToken: () => Promise.reject(new OAuthError('invalid_grant', 'refused')) }, pooled).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RampartError);
    expect((error as RampartError).code).toBe('RAMPART_UPSTREAM_AUTH');
    expect(failureKind(error)).toBe('auth');
    await expect(signedCredential(undefined, pooled)).rejects.toMatchObject({ code: 'RAMPART_UPSTREAM_AUTH' });
  });
});
