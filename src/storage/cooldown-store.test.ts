import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CooldownTracker, DEFAULT_COOLDOWN_SETTINGS } from '../routing/cooldowns.ts';
import type { CooldownRecord, Storage } from './ports.ts';
import * as clientKeysMigration from './sql/migrations/0001-client-keys.ts';
import { SQLITE_FILE, openSqliteStorage } from './sql/sqlite.ts';

// Every backend must pass this same suite; PostgreSQL joins the list when it is added.
const backends: { name: string; open: (dir: string) => Promise<Storage> }[] = [{ name: 'sqlite', open: openSqliteStorage }];

const until = new Date('2026-03-01T00:30:00.123Z');
function row(credentialId: string, model = 'gpt-x', overrides: Partial<CooldownRecord> = {}): CooldownRecord {
  return { credentialId, model, until, kind: 'rate_limited', failures: 1, ...overrides };
}
const ids = async (storage: Storage): Promise<string[]> => (await storage.cooldowns.list()).map((r) => `${r.credentialId}/${r.model}`);

for (const backend of backends) {
  describe(`CooldownStore (${backend.name})`, () => {
    let dir: string;
    let storage: Storage;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'rampart-cooldowns-'));
      storage = await backend.open(dir);
    });
    afterEach(async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('round-trips records, ordered by credential then model', async () => {
      expect(await storage.cooldowns.list()).toEqual([]);
      await storage.cooldowns.upsert(row('b#0'));
      await storage.cooldowns.upsert(row('a#0', '*', { kind: 'auth', failures: 3, until: new Date(4_102_444_800_000) }));
      await storage.cooldowns.upsert(row('a#0', 'claude'));
      expect(await storage.cooldowns.list()).toEqual([
        row('a#0', '*', { kind: 'auth', failures: 3, until: new Date(4_102_444_800_000) }),
        row('a#0', 'claude'),
        row('b#0'),
      ]);
    });

    it('keeps one row per credential × model, replaced by upsert', async () => {
      await storage.cooldowns.upsert(row('a#0'));
      const later = row('a#0', 'gpt-x', { until: new Date(until.getTime() + 60_000), kind: 'server_error', failures: 2 });
      await storage.cooldowns.upsert(later);
      expect(await storage.cooldowns.list()).toEqual([later]);
    });

    it('removes one row', async () => {
      await storage.cooldowns.upsert(row('a#0', 'm1'));
      await storage.cooldowns.upsert(row('a#0', 'm2'));
      await storage.cooldowns.remove('a#0', 'm1');
      await storage.cooldowns.remove('a#0', 'absent');
      expect(await ids(storage)).toEqual(['a#0/m2']);
    });

    it('removes by credential id prefix exactly: case-sensitive, no wildcards', async () => {
      for (const id of ['a#0', 'a#1', 'A#0', 'ab#0', 'a%#0', 'a_#0', 'b#0']) await storage.cooldowns.upsert(row(id));
      expect(await storage.cooldowns.removeAll('a#')).toBe(2);
      expect(await storage.cooldowns.removeAll('a%')).toBe(1);
      expect(await storage.cooldowns.removeAll('a_')).toBe(1);
      expect(await storage.cooldowns.removeAll('zz#')).toBe(0);
      expect(await ids(storage)).toEqual(['A#0/gpt-x', 'ab#0/gpt-x', 'b#0/gpt-x']);
      expect(await storage.cooldowns.removeAll()).toBe(3);
      expect(await storage.cooldowns.list()).toEqual([]);
    });

    it('matches prefixes beyond ASCII by characters', async () => {
      await storage.cooldowns.upsert(row('😀é#0'));
      await storage.cooldowns.upsert(row('😀x#0'));
      expect(await storage.cooldowns.removeAll('😀é')).toBe(1);
      expect(await ids(storage)).toEqual(['😀x#0/gpt-x']);
    });

    it('keeps cooldowns across a restart', async () => {
      const now = Date.now();
      const tracker = new CooldownTracker(storage.cooldowns, DEFAULT_COOLDOWN_SETTINGS, () => now);
      tracker.recordFailure('a#0', 'gpt-x', 'auth');
      tracker.recordFailure('a#1', 'gpt-x', 'rate_limited', 90);
      await tracker.flush();
      await storage.close();

      storage = await backend.open(dir);
      const restarted = new CooldownTracker(storage.cooldowns, DEFAULT_COOLDOWN_SETTINGS, () => now + 1_000);
      await restarted.load();
      expect(restarted.check('a#0', 'any-model')).toBe(now + DEFAULT_COOLDOWN_SETTINGS.authMs);
      expect(restarted.check('a#1', 'gpt-x')).toBe(now + 90_000);
      expect(restarted.list().map((r) => r.kind)).toEqual(['auth', 'rate_limited']);
    });
  });
}

describe('cooldowns migration', () => {
  it('upgrades a database created before cooldowns existed, keeping its data', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rampart-cooldowns-'));
    try {
      const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(dir, SQLITE_FILE)) }) });
      const migrator = new Migrator({ db: old, provider: { getMigrations: () => Promise.resolve({ '0001-client-keys': clientKeysMigration }) } });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await old.destroy();

      const storage = await openSqliteStorage(dir);
      try {
        await storage.clientKeys.insert({ id: 'key_a', name: 'a', prefix: 'rk_live_ab', hash: 'h', createdAt: until, revokedAt: null });
        await storage.cooldowns.upsert(row('a#0'));
        expect(await storage.cooldowns.list()).toEqual([row('a#0')]);
        expect(await storage.clientKeys.count()).toBe(1);
      } finally {
        await storage.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
