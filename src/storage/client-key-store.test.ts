import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientKeyRecord, Storage } from './ports.ts';
import { SQLITE_FILE, openSqliteStorage } from './sql/sqlite.ts';

// Every backend must pass this same suite; PostgreSQL joins the list when it is added.
const backends: { name: string; open: (dir: string) => Promise<Storage> }[] = [{ name: 'sqlite', open: openSqliteStorage }];

function record(id: string, hash: string, createdAt = new Date('2026-01-01T00:00:00Z')): ClientKeyRecord {
  return { id, name: `name-${id}`, prefix: 'rk_live_abcd', hash, createdAt, revokedAt: null };
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
