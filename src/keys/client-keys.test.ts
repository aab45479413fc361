import { describe, expect, it } from 'vitest';
import type { ClientKeyRecord, ClientKeyStore } from '../storage/ports.ts';
import { ClientKeyService, validateKeyName } from './client-keys.ts';

/** In-memory store: these tests are about the service's rules, the SQL store has its own suite. */
class MemoryStore implements ClientKeyStore {
  readonly rows = new Map<string, ClientKeyRecord>();
  insert(r: ClientKeyRecord) {
    this.rows.set(r.id, { ...r });
    return Promise.resolve();
  }
  list() {
    return Promise.resolve([...this.rows.values()]);
  }
  findById(id: string) {
    return Promise.resolve(this.rows.get(id));
  }
  findByHash(hash: string) {
    return Promise.resolve([...this.rows.values()].find((r) => r.hash === hash));
  }
  revoke(id: string, at: Date) {
    const r = this.rows.get(id);
    if (r && r.revokedAt === null) r.revokedAt = at;
    return Promise.resolve(r !== undefined);
  }
  count() {
    return Promise.resolve(this.rows.size);
  }
}

const pepper = Buffer.alloc(32, 7);

describe('ClientKeyService', () => {
  it('creates keys that authenticate, stores only a hash, and shows a short prefix', async () => {
    const store = new MemoryStore();
    const service = new ClientKeyService(store, pepper);
    const { key, record } = await service.create('ci bot');
    expect(key).toMatch(/^rk_live_[A-Za-z0-9_-]{43}$/);
    expect(record.prefix).toBe(key.slice(0, 12));
    const stored = JSON.stringify([...store.rows.values()]);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(12));
    const result = await service.authenticate(key);
    expect(result).toEqual({ ok: true, key: record });
  });

  it('says no_keys while none exist, then missing/invalid once one does', async () => {
    const service = new ClientKeyService(new MemoryStore(), pepper);
    expect(await service.authenticate(undefined)).toEqual({ ok: false, reason: 'no_keys' });
    expect(await service.authenticate('rk_live_whatever')).toEqual({ ok: false, reason: 'no_keys' });
    const { key } = await service.create('a');
    expect(await service.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await service.authenticate('')).toEqual({ ok: false, reason: 'missing' });
    expect(await service.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'invalid' });
    expect(await service.authenticate('sk-not-ours')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a revoked key', async () => {
    const service = new ClientKeyService(new MemoryStore(), pepper);
    const { key, record } = await service.create('a');
    expect(await service.revoke(record.id)).toBe(true);
    expect(await service.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
    expect(await service.revoke('key_unknown')).toBe(false);
  });

  it('hashes depend on the pepper', () => {
    const a = new ClientKeyService(new MemoryStore(), pepper);
    const b = new ClientKeyService(new MemoryStore(), Buffer.alloc(32, 8));
    expect(a.hash('rk_live_x')).not.toBe(b.hash('rk_live_x'));
    expect(a.hash('rk_live_x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates names', () => {
    expect(validateKeyName('  ok  ')).toBe('ok');
    expect(() => validateKeyName('')).toThrow(/1 to 100/);
    expect(() => validateKeyName('x'.repeat(101))).toThrow(/1 to 100/);
    expect(() => validateKeyName('a\nb')).toThrow(/control/);
  });
});
