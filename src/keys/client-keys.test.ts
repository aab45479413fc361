import { describe, expect, it } from 'vitest';
import type { ClientKeyPatch, ClientKeyRecord, ClientKeyStore } from '../storage/ports.ts';
import { ClientKeyService, KeyValidationError, validateKeyName } from './client-keys.ts';

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
    const r = this.rows.get(id);
    return Promise.resolve(r && { ...r });
  }
  findByHash(hash: string) {
    const r = [...this.rows.values()].find((row) => row.hash === hash);
    return Promise.resolve(r && { ...r });
  }
  revoke(id: string, at: Date) {
    const r = this.rows.get(id);
    if (r && r.revokedAt === null) r.revokedAt = at;
    return Promise.resolve(r !== undefined);
  }
  update(id: string, patch: ClientKeyPatch) {
    const r = this.rows.get(id);
    if (!r) return Promise.resolve(undefined);
    const next = { ...r, ...patch };
    this.rows.set(id, next);
    return Promise.resolve({ ...next });
  }
  count() {
    return Promise.resolve(this.rows.size);
  }
}

const pepper = Buffer.alloc(32, 7);
const NOW = new Date('2026-03-01T12:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);
const DAY = 86_400_000;

function setup() {
  const store = new MemoryStore();
  return { store, service: new ClientKeyService(store, pepper) };
}

describe('ClientKeyService', () => {
  it('creates keys that authenticate, stores only a hash, and shows a short prefix', async () => {
    const { store, service } = setup();
    const { key, record } = await service.create('ci bot');
    expect(key).toMatch(/^rk_live_[A-Za-z0-9_-]{43}$/);
    expect(record.prefix).toBe(key.slice(0, 12));
    const stored = JSON.stringify([...store.rows.values()]);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(12));
    const result = await service.authenticate(key);
    expect(result).toEqual({ ok: true, key: record });
  });

  it('creates an unrestricted key from a bare name, every setting null', async () => {
    const { service } = setup();
    const { record } = await service.create('plain', NOW);
    expect(record).toMatchObject({ owner: null, models: null, providers: null, routes: null, ips: null, expiresAt: null, rps: null, burst: null, monthlyTokens: null, maxTokens: null, disabledAt: null });
    expect(record.updatedAt).toEqual(NOW);
  });

  it('says no_keys while none exist, then missing/invalid once one does', async () => {
    const { service } = setup();
    expect(await service.authenticate(undefined)).toEqual({ ok: false, reason: 'no_keys' });
    expect(await service.authenticate('rk_live_whatever')).toEqual({ ok: false, reason: 'no_keys' });
    const { key } = await service.create('a');
    expect(await service.authenticate(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(await service.authenticate('')).toEqual({ ok: false, reason: 'missing' });
    expect(await service.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toEqual({ ok: false, reason: 'invalid' });
    expect(await service.authenticate('sk-not-ours')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a revoked key', async () => {
    const { service } = setup();
    const { key, record } = await service.create('a');
    expect(await service.revoke(record.id)).toBe(true);
    expect(await service.authenticate(key)).toEqual({ ok: false, reason: 'revoked' });
    expect(await service.revoke('key_unknown')).toBe(false);
  });

  it('refuses an expired key from its expiry instant on, and says revoked before expired before disabled', async () => {
    const { service } = setup();
    const { key, record } = await service.create({ name: 'temp', expiresAt: later(DAY) }, NOW);
    expect((await service.authenticate(key, later(DAY - 1))).ok).toBe(true);
    expect(await service.authenticate(key, later(DAY))).toEqual({ ok: false, reason: 'expired' });
    await service.update(record.id, { disabled: true }, NOW);
    expect(await service.authenticate(key, later(DAY - 1))).toEqual({ ok: false, reason: 'disabled' });
    expect(await service.authenticate(key, later(DAY))).toEqual({ ok: false, reason: 'expired' });
    await service.revoke(record.id, NOW);
    expect(await service.authenticate(key, later(DAY))).toEqual({ ok: false, reason: 'revoked' });
  });

  it('disables and re-enables a key, keeping the first disable time', async () => {
    const { service } = setup();
    const { key, record } = await service.create({ name: 'switch', disabled: true }, NOW);
    expect(record.disabledAt).toEqual(NOW);
    expect(await service.authenticate(key, NOW)).toEqual({ ok: false, reason: 'disabled' });
    const again = await service.update(record.id, { disabled: true }, later(5));
    expect(again?.disabledAt).toEqual(NOW);
    const enabled = await service.update(record.id, { disabled: false }, later(10));
    expect(enabled?.disabledAt).toBeNull();
    expect((await service.authenticate(key, later(10))).ok).toBe(true);
  });

  it('stores validated, normalised scopes and limits', async () => {
    const { service } = setup();
    const { record } = await service.create(
      {
        name: ' scoped ',
        owner: ' team-a ',
        models: ['gpt-4o*', ' claude-? ', 'gpt-4o*'],
        providers: ['openai', 'anthropic'],
        routes: ['/v1/chat/*'],
        ips: ['10.0.0.0/8', '::1', '::ffff:192.168.0.0/112', '2001:DB8::/32'],
        expiresAt: later(DAY),
        rps: 5,
        burst: 10,
        monthlyTokens: 5_000_000_000,
        maxTokens: 4096,
      },
      NOW,
    );
    expect(record).toMatchObject({
      name: 'scoped',
      owner: 'team-a',
      models: ['gpt-4o*', 'claude-?'],
      providers: ['openai', 'anthropic'],
      routes: ['/v1/chat/*'],
      ips: ['10.0.0.0/8', '::1/128', '192.168.0.0/16', '2001:db8::/32'],
      expiresAt: later(DAY),
      rps: 5,
      burst: 10,
      monthlyTokens: 5_000_000_000,
      maxTokens: 4096,
    });
  });

  it.each([
    [{ models: ['gpt-[45]'] }, /model pattern "gpt-\[45\]" contains "\["; only \* and \? are wildcards/],
    [{ models: ['a b'] }, /whitespace/],
    [{ models: [] }, /models needs at least one entry/],
    [{ models: Array.from({ length: 101 }, (_, i) => `m${i}`) }, /more than 100/],
    [{ providers: ['OpenAI'] }, /provider id "OpenAI"/],
    [{ routes: ['v1/chat'] }, /must start with \//],
    [{ routes: ['/v1/x?alt=sse'] }, /query string/],
    [{ ips: ['10.1/8'] }, /not an IP address/],
    [{ ips: ['10.1.2.3/8'] }, /host bits set; did you mean 10\.0\.0\.0\/8/],
    [{ ips: ['10.0.0.0/33'] }, /prefix length from 0 to 32/],
    [{ ips: ['fe80::1%eth0'] }, /not an IP address/],
    [{ rps: 0 }, /rps must be an integer from 1/],
    [{ rps: 1.5 }, /rps must be an integer/],
    [{ maxTokens: -1 }, /maxTokens must be an integer/],
    [{ expiresAt: NOW }, /not in the future/],
    [{ expiresAt: new Date(Number.NaN) }, /not a valid date/],
    [{ owner: '' }, /owner must be 1 to 200/],
  ])('refuses %j', async (settings, message) => {
    const { store, service } = setup();
    await expect(service.create({ name: 'x', ...settings }, NOW)).rejects.toThrow(message);
    await expect(service.create({ name: 'x', ...settings }, NOW)).rejects.toBeInstanceOf(KeyValidationError);
    expect(store.rows.size).toBe(0);
  });

  it('updates only what was given, clears with null, and moves updatedAt strictly forward', async () => {
    const { service } = setup();
    const { record } = await service.create({ name: 'k', models: ['a*'], rps: 3, burst: 6, owner: 'me' }, NOW);
    const first = await service.update(record.id, { models: ['b*'], ips: ['127.0.0.1'] }, NOW);
    expect(first).toMatchObject({ name: 'k', owner: 'me', models: ['b*'], ips: ['127.0.0.1/32'], rps: 3, burst: 6 });
    // Same millisecond as creation: the marker still moves, so scope caches see the change.
    expect(first?.updatedAt.getTime()).toBe(NOW.getTime() + 1);
    const second = await service.update(record.id, { owner: null, models: null, burst: null, rps: null, name: 'renamed' }, NOW);
    expect(second).toMatchObject({ name: 'renamed', owner: null, models: null, rps: null, burst: null, ips: ['127.0.0.1/32'] });
    expect(second?.updatedAt.getTime()).toBe(NOW.getTime() + 2);
  });

  it('refuses updates that are empty, invalid, or touch a revoked key', async () => {
    const { service } = setup();
    const { record } = await service.create({ name: 'k', rps: 3, burst: 6 }, NOW);
    expect(await service.update('key_missing', { rps: 1 }, NOW)).toBeUndefined();
    await expect(service.update(record.id, {}, NOW)).rejects.toThrow('nothing to change');
    await expect(service.update(record.id, { expiresAt: later(-1) }, NOW)).rejects.toThrow(/not in the future/);
    await service.revoke(record.id, NOW);
    await expect(service.update(record.id, { rps: 1 }, NOW)).rejects.toThrow(/is revoked/);
    expect(await service.show(record.id)).toMatchObject({ rps: 3, burst: 6 });
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
