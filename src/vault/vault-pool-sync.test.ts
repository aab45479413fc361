import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../config/schema.ts';
import { createLogger } from '../logging/logger.ts';
import { Router } from '../routing/router.ts';
import type { CredentialSecret, StoredCredential } from './credential-vault.ts';
import { VaultDecryptError } from './vault-errors.ts';
import { type SyncedVault, VaultPoolSync } from './vault-pool-sync.ts';

const provider = (id: string, keys: string[]): ProviderConfig => ({
  id,
  type: 'openai-compatible',
  baseUrl: `http://127.0.0.1:9/${id}`,
  credentials: keys.map((apiKey, i) => ({ apiKey, weight: 1, id: `${id}-cfg${i}` })),
  policy: 'round-robin',
  allowPrivateNetwork: true,
  models: ['m'],
  timeouts: { connectMs: 1000, headersMs: 1000, idleMs: 1000 },
});

/** An in-memory vault: credentials and their secrets, a decrypt counter, and ids whose blob "fails". */
class FakeVault implements SyncedVault {
  readonly items = new Map<string, { credential: StoredCredential; secret: CredentialSecret }>();
  readonly broken = new Set<string>();
  reads = 0;
  #clock = 1;

  put(id: string, providerId: string, secret: CredentialSecret): void {
    const at = new Date(this.#clock++);
    const created = this.items.get(id)?.credential.createdAt ?? at;
    this.items.set(id, { credential: { id, providerId, kind: secret.kind, label: null, meta: {}, keyVersion: 1, createdAt: created, updatedAt: at }, secret });
  }
  list = () => Promise.resolve([...this.items.values()].map((i) => i.credential));
  readSecret = (id: string) => {
    this.reads++;
    const item = this.items.get(id);
    if (item === undefined || this.broken.has(id)) return Promise.reject(new VaultDecryptError(id, 'the blob failed authentication'));
    return Promise.resolve(item.secret);
  };
  refreshKey = () => Promise.resolve('unlocked' as const);
  status = () => 'unlocked' as const;
  lockReason = () => undefined;
}

function setup() {
  const router = new Router([provider('a', ['sk-cfg-a']), provider('b', [])]);
  const vault = new FakeVault();
  const logs = new PassThrough();
  let logged = '';
  logs.on('data', (chunk: Buffer) => (logged += chunk.toString()));
  const sync = new VaultPoolSync(vault, router, ['a', 'b'], createLogger('info', logs));
  const pool = (id: string) => router.providers().find((p) => p.id === id)!.pool.members.map((m) => `${m.id}=${m.auth === 'oauth' ? `oauth:${m.oauthProvider ?? ''}` : m.apiKey}`);
  return { router, vault, sync, pool, logs: () => logged };
}

describe('VaultPoolSync', () => {
  it('adds vault credentials after the config ones, follows changes and removals, and decrypts only what changed', async () => {
    const { vault, sync, pool } = setup();
    vault.put('v1', 'a', { kind: 'api_key', apiKey: 'sk-v1' });
    vault.put('v2', 'b', { kind: 'oauth', oauth: 'claude', tokens: { accessToken: 'at' } });
    await sync.sync();
    expect(pool('a')).toEqual(['a-cfg0=sk-cfg-a', 'v1=sk-v1']);
    expect(pool('b')).toEqual(['v2=oauth:claude']);
    expect(Object.fromEntries(sync.counts())).toEqual({ a: 1, b: 1 });
    expect(vault.reads).toBe(2);
    await sync.sync();
    expect(vault.reads).toBe(2);
    vault.put('v1', 'a', { kind: 'api_key', apiKey: 'sk-v1-new' });
    vault.items.delete('v2');
    await sync.sync();
    expect(vault.reads).toBe(3);
    expect(pool('a')).toEqual(['a-cfg0=sk-cfg-a', 'v1=sk-v1-new']);
    expect(pool('b')).toEqual([]);
  });

  it('skips unknown providers, clashing ids and undecryptable blobs with one warning each, naming ids only', async () => {
    const { vault, sync, pool, logs } = setup();
    vault.put('lost', 'gone', { kind: 'api_key', apiKey: 'sk-secret-lost' });
    vault.put('a-cfg0', 'a', { kind: 'api_key', apiKey: 'sk-secret-clash' });
    vault.put('bad', 'a', { kind: 'api_key', apiKey: 'sk-secret-bad' });
    vault.broken.add('bad');
    vault.put('good', 'a', { kind: 'api_key', apiKey: 'sk-good' });
    await sync.sync();
    await sync.sync();
    expect(pool('a')).toEqual(['a-cfg0=sk-cfg-a', 'good=sk-good']);
    const lines = logs().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; credentialId?: string });
    const warnings = lines.filter((l) => !l.msg.startsWith('vault credentials loaded'));
    expect(warnings.map((l) => [l.credentialId, l.msg])).toEqual([
      ['lost', 'vault credential skipped: no provider with this id in the config'],
      ['bad', 'vault credential left out of its pool: credential "bad" cannot be decrypted: the blob failed authentication'],
      ['a-cfg0', 'vault credential skipped: a config credential of this provider has the same id'],
    ]);
    expect(logs()).not.toMatch(/sk-secret|sk-good/);
  });

  it('keeps a credential read before when it later fails to decrypt (e.g. the vault locked after a rotation)', async () => {
    const { vault, sync, pool } = setup();
    vault.put('v1', 'a', { kind: 'api_key', apiKey: 'sk-v1' });
    await sync.sync();
    vault.put('v1', 'a', { kind: 'api_key', apiKey: 'sk-v1-rotated' });
    vault.broken.add('v1');
    await sync.sync();
    expect(pool('a')).toEqual(['a-cfg0=sk-cfg-a', 'v1=sk-v1']);
  });
});

describe('Router.replaceVaultCredentials', () => {
  it('keeps config members first, drops clashing ids and answers undefined for an unknown provider', () => {
    const router = new Router([provider('a', ['k1', 'k2'])]);
    const skipped = router.replaceVaultCredentials('a', [
      { id: 'x', apiKey: 'sk-x', weight: 1 },
      { id: 'a-cfg1', apiKey: 'sk-clash', weight: 1 },
    ]);
    expect(skipped).toEqual(['a-cfg1']);
    const pool = router.providers()[0]!.pool;
    expect(pool.members.map((m) => m.id)).toEqual(['a-cfg0', 'a-cfg1', 'x']);
    expect(pool.policy).toBe('round-robin');
    expect(router.replaceVaultCredentials('a', [])).toEqual([]);
    expect(router.providers()[0]!.pool.members.map((m) => m.id)).toEqual(['a-cfg0', 'a-cfg1']);
    expect(router.replaceVaultCredentials('nope', [])).toBeUndefined();
  });
});
