import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientKeyRecord, Storage } from './ports.ts';
import * as clientKeysMigration from './sql/migrations/0001-client-keys.ts';
import * as cooldownsMigration from './sql/migrations/0002-cooldowns.ts';
import { SQLITE_FILE, openSqliteStorage } from './sql/sqlite.ts';

// Every backend must pass this same suite; PostgreSQL joins the list when it is added.
const backends: { name: string; open: (dir: string) => Promise<Storage> }[] = [{ name: 'sqlite', open: openSqliteStorage }];

function record(id: string, hash: string, createdAt = new Date('2026-01-01T00:00:00Z')): ClientKeyRecord {
  return {
    id,
    name: `name-${id}`,
    prefix: 'rk_live_abcd',
    hash,
    createdAt,
    revokedAt: null,
    updatedAt: createdAt,
    owner: null,
    models: null,
    providers: null,
    routes: null,
    ips: null,
    expiresAt: null,
    rps: null,
    burst: null,
    monthlyTokens: null,
    maxTokens: null,
    disabledAt: null,
  };
}

/** Every setting set, with values that would be mangled by a wrong column type (a >2^31 quota, JSON lists). */
function fullRecord(id: string, hash: string): ClientKeyRecord {
  return {
    ...record(id, hash),
    updatedAt: new Date('2026-01-05T00:00:00Z'),
    owner: 'team-a',
    models: ['gpt-4o*', 'claude-?'],
    providers: ['openai'],
    routes: ['/v1/chat/*'],
    ips: ['10.0.0.0/8', '::1/128'],
    expiresAt: new Date('2027-01-01T00:00:00Z'),
    rps: 5,
    burst: 10,
    monthlyTokens: 5_000_000_000,
    maxTokens: 4096,
    disabledAt: new Date('2026-01-03T00:00:00Z'),
  };
}

for (const backend of backends) {
  describe(`ClientKeyStore (${backend.name})`, () => {
    let dir: string;
    let storage: Storage;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'rampart-store-'));
      storage = await backend.open(dir);
    });
    afterEach(async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('round-trips records and finds them by id and hash', async () => {
      expect(await storage.clientKeys.count()).toBe(0);
      await storage.clientKeys.insert(record('key_a', 'h1'));
      await storage.clientKeys.insert(record('key_b', 'h2', new Date('2026-01-02T00:00:00Z')));
      expect(await storage.clientKeys.count()).toBe(2);
      expect(await storage.clientKeys.findByHash('h2')).toEqual(record('key_b', 'h2', new Date('2026-01-02T00:00:00Z')));
      expect(await storage.clientKeys.findById('key_a')).toEqual(record('key_a', 'h1'));
      expect(await storage.clientKeys.findByHash('nope')).toBeUndefined();
      expect((await storage.clientKeys.list()).map((r) => r.id)).toEqual(['key_a', 'key_b']);
    });

    it('round-trips every setting, through both lookups', async () => {
      const full = fullRecord('key_full', 'hf');
      await storage.clientKeys.insert(full);
      expect(await storage.clientKeys.findById('key_full')).toEqual(full);
      // findByHash is the per-request fast path (a separately prepared statement in SQLite): it must read every column.
      expect(await storage.clientKeys.findByHash('hf')).toEqual(full);
      expect(await storage.clientKeys.list()).toEqual([full]);
    });

    it('updates only the fields in the patch, clears with null, and reports unknown ids', async () => {
      await storage.clientKeys.insert(fullRecord('key_a', 'h1'));
      await storage.clientKeys.insert(record('key_b', 'h2'));
      const at = new Date('2026-02-01T00:00:00Z');
      const updated = await storage.clientKeys.update('key_a', { updatedAt: at, models: null, ips: ['192.168.0.0/16'], rps: 7, disabledAt: null, name: 'renamed' });
      const expected = { ...fullRecord('key_a', 'h1'), updatedAt: at, models: null, ips: ['192.168.0.0/16'], rps: 7, disabledAt: null, name: 'renamed' };
      expect(updated).toEqual(expected);
      expect(await storage.clientKeys.findByHash('h1')).toEqual(expected);
      // The other row is untouched.
      expect(await storage.clientKeys.findById('key_b')).toEqual(record('key_b', 'h2'));
      expect(await storage.clientKeys.update('key_missing', { updatedAt: at, rps: 1 })).toBeUndefined();
    });

    it('stores settings left out of an insert as unrestricted (callers written before they existed)', async () => {
      await storage.clientKeys.insert({ id: 'key_a', name: 'a', prefix: 'rk_live_abcd', hash: 'h1', createdAt: new Date('2026-01-01T00:00:00Z'), revokedAt: null });
      expect(await storage.clientKeys.findByHash('h1')).toEqual({ ...record('key_a', 'h1'), name: 'a' });
    });

    it('refuses two keys with the same hash', async () => {
      await storage.clientKeys.insert(record('key_a', 'same'));
      await expect(storage.clientKeys.insert(record('key_b', 'same'))).rejects.toThrow();
    });

    it('revokes once and keeps the first revocation time', async () => {
      await storage.clientKeys.insert(record('key_a', 'h1'));
      const first = new Date('2026-02-01T00:00:00Z');
      expect(await storage.clientKeys.revoke('key_a', first)).toBe(true);
      expect(await storage.clientKeys.revoke('key_a', new Date('2026-03-01T00:00:00Z'))).toBe(true);
      expect((await storage.clientKeys.findById('key_a'))?.revokedAt).toEqual(first);
      expect((await storage.clientKeys.findById('key_a'))?.updatedAt).toEqual(first);
      expect(await storage.clientKeys.revoke('key_missing', first)).toBe(false);
    });

    it('keeps data across reopen', async () => {
      await storage.clientKeys.insert(record('key_a', 'h1'));
      await storage.close();
      storage = await backend.open(dir);
      expect(await storage.clientKeys.count()).toBe(1);
    });
  });
}

describe('sqlite file safety', () => {
  it('creates the database file 0600 inside a 0700 folder', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'rampart-store-')), 'data');
    const storage = await openSqliteStorage(dir);
    try {
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect((await stat(path.join(dir, SQLITE_FILE))).mode & 0o777).toBe(0o600);
    } finally {
      await storage.close();
      await rm(path.dirname(dir), { recursive: true, force: true });
    }
  });
});

describe('client key migration 0003', () => {
  it('keeps keys created before it working, unrestricted, and reads a damaged scope as allowing nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rampart-store-'));
    try {
      // A database as 0001/0002 left it, with one key row in it.
      const sqlite = new BetterSqlite3(path.join(dir, SQLITE_FILE));
      const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
      const before = { '0001-client-keys': clientKeysMigration, '0002-cooldowns': cooldownsMigration };
      expect((await new Migrator({ db: old, provider: { getMigrations: () => Promise.resolve(before) } }).migrateToLatest()).error).toBeUndefined();
      sqlite.prepare(`insert into client_keys values ('key_old', 'old', 'rk_live_abcd', 'hold', 1767225600000, null)`).run();
      await old.destroy();
      const storage = await openSqliteStorage(dir);
      try {
        expect(await storage.clientKeys.findByHash('hold')).toEqual({ ...record('key_old', 'hold', new Date(1767225600000)), name: 'old' });
        const raw = new BetterSqlite3(path.join(dir, SQLITE_FILE));
        raw.prepare(`update client_keys set models = '{"not":"a list"}', ips = 'garbage' where id = 'key_old'`).run();
        raw.close();
        expect(await storage.clientKeys.findByHash('hold')).toMatchObject({ models: [], ips: [] });
      } finally {
        await storage.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sqlite client key lookups between processes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-keycache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sees a revocation or a change made through another connection at the very next lookup', async () => {
    const server = await openSqliteStorage(dir);
    const cli = await openSqliteStorage(dir);
    try {
      await cli.clientKeys.insert(record('key_a', 'h'.repeat(64)));
      // The server looks the key up (and may remember it) ...
      expect((await server.clientKeys.findByHash('h'.repeat(64)))?.revokedAt).toBeNull();
      expect((await server.clientKeys.findByHash('h'.repeat(64)))?.revokedAt).toBeNull();
      // ... then another process revokes it: the next lookup must say so.
      expect(await cli.clientKeys.revoke('key_a', new Date('2026-02-01T00:00:00Z'))).toBe(true);
      expect((await server.clientKeys.findByHash('h'.repeat(64)))?.revokedAt).toEqual(new Date('2026-02-01T00:00:00Z'));
      await cli.clientKeys.insert(record('key_b', 'k'.repeat(64)));
      expect((await server.clientKeys.findByHash('k'.repeat(64)))?.disabledAt).toBeNull();
      await cli.clientKeys.update('key_b', { disabledAt: new Date('2026-03-01T00:00:00Z'), updatedAt: new Date('2026-03-01T00:00:00Z') });
      expect((await server.clientKeys.findByHash('k'.repeat(64)))?.disabledAt).toEqual(new Date('2026-03-01T00:00:00Z'));
      // Its own changes too.
      await server.clientKeys.update('key_b', { disabledAt: null, updatedAt: new Date('2026-03-02T00:00:00Z') });
      expect((await server.clientKeys.findByHash('k'.repeat(64)))?.disabledAt).toBeNull();
    } finally {
      await cli.close();
      await server.close();
    }
  });
});
