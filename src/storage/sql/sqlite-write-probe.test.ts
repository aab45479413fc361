import BetterSqlite3 from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../ports.ts';
import { SQLITE_FILE, openSqliteStorage } from './sqlite.ts';
import { RAMPART_APPLICATION_ID, sqliteWriteProbe } from './sqlite-write-probe.ts';

describe('the SQLite write probe', () => {
  let dir: string;
  let storage: Storage;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-probe-'));
    storage = await openSqliteStorage(dir);
  });

  afterAll(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits a real write on a writable database (the file then carries the application id)', async () => {
    await storage.checkWritable();
    const reader = new BetterSqlite3(path.join(dir, SQLITE_FILE), { readonly: true });
    try {
      expect(reader.pragma('application_id', { simple: true })).toBe(RAMPART_APPLICATION_ID);
    } finally {
      reader.close();
    }
  });

  it('fails on a database it cannot write, and restores the busy timeout', async () => {
    const readonly = new BetterSqlite3(path.join(dir, SQLITE_FILE), { readonly: true });
    try {
      readonly.pragma('busy_timeout = 4321');
      const error: unknown = await sqliteWriteProbe(readonly)().catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('SQLITE_READONLY');
      expect(readonly.pragma('busy_timeout', { simple: true })).toBe(4321);
    } finally {
      readonly.close();
    }
  });

  it('fails when another connection holds the write lock, within its short busy timeout', async () => {
    const other = new BetterSqlite3(path.join(dir, SQLITE_FILE));
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const error: unknown = await storage.checkWritable().catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await storage.checkWritable();
  });
});
