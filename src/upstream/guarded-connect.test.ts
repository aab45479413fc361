// The resolver-level guard, without sockets: every address here is only ever compared, never connected to.
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError, type Resolver, guardedLookup, resolveChecked } from './guarded-connect.ts';

const fixed =
  (answers: Record<string, string[]>): Resolver =>
  (host) => {
    const list = answers[host];
    if (list === undefined) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

const resolver = fixed({
  'evil.test': ['10.0.0.5'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['8.8.8.8', '10.0.0.5'],
  'mapped.test': ['::ffff:127.0.0.1'],
  'public.test': ['8.8.8.8', '2001:4860:4860::8888'],
  'garbage.test': ['not-an-ip'],
  'empty.test': [],
});

describe('resolveChecked', () => {
  it.each(['evil.test', 'metadata.test', 'mixed.test', 'mapped.test', 'garbage.test'])('refuses %s, naming host and address', async (host) => {
    const error: unknown = await resolveChecked(resolver, host, false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForbiddenAddressError);
    expect((error as ForbiddenAddressError).host).toBe(host);
  });

  it('refuses a name when any one of its addresses is internal, and reports that one', async () => {
    await expect(resolveChecked(resolver, 'mixed.test', false)).rejects.toMatchObject({ address: '10.0.0.5' });
  });

  it('passes internal addresses when the provider allows the private network', async () => {
    expect(await resolveChecked(resolver, 'evil.test', true)).toEqual([{ address: '10.0.0.5', family: 4 }]);
  });

  it('returns public addresses, filtered by family, with the family taken from the address', async () => {
    expect(await resolveChecked(resolver, 'public.test', false)).toEqual([
      { address: '8.8.8.8', family: 4 },
      { address: '2001:4860:4860::8888', family: 6 },
    ]);
    expect(await resolveChecked(resolver, 'public.test', false, 6)).toEqual([{ address: '2001:4860:4860::8888', family: 6 }]);
    const lying: Resolver = () => Promise.resolve([{ address: '8.8.8.8', family: 6 }]);
    expect(await resolveChecked(lying, 'x.test', false)).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('reports ENOTFOUND for no usable address, and passes resolver errors on', async () => {
    await expect(resolveChecked(resolver, 'empty.test', false)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolveChecked(resolver, 'evil.test', true, 6)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolveChecked(resolver, 'unknown.test', false)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guardedLookup', () => {
  type Answer = { error: Error | null; address: string | LookupAddress[]; family: number | undefined };
  const call = (host: string, options: { all?: boolean; family?: number | 'IPv4' | 'IPv6' }, allowPrivate = false): Promise<Answer> =>
    new Promise((resolve) => guardedLookup(resolver, allowPrivate)(host, options, (error, address, family) => resolve({ error, address, family })));

  it('answers in the shape net.connect asks for (all, or one address and its family)', async () => {
    expect(await call('public.test', { all: true })).toEqual({ error: null, address: [{ address: '8.8.8.8', family: 4 }, { address: '2001:4860:4860::8888', family: 6 }], family: undefined });
    expect(await call('public.test', {})).toEqual({ error: null, address: '8.8.8.8', family: 4 });
    expect(await call('public.test', { family: 'IPv6' })).toEqual({ error: null, address: '2001:4860:4860::8888', family: 6 });
  });

  it('hands the refusal to net.connect as the lookup error', async () => {
    const answer = await call('metadata.test', { all: true });
    expect(answer.error).toBeInstanceOf(ForbiddenAddressError);
    expect((await call('metadata.test', { all: true }, true)).error).toBeNull();
  });
});
