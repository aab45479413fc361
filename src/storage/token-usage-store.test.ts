import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from './ports.ts';
import { openSqliteStorage } from './sql/sqlite.ts';

// Every backend must pass this same suite; PostgreSQL joins the list when it is added.
const backends: { name: string; open: (dir: string) => Promise<Storage> }[] = [{ name: 'sqlite', open: openSqliteStorage }];

for (const backend of backends) {
  describe(`TokenUsageStore (${backend.name})`, () => {
    let dir: string;
    let storage: Storage;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'rampart-token-usage-'));
      storage = await backend.open(dir);
    });
    afterEach(async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('reads 0 for a key and month without usage', async () => {
      expect(await storage.tokenUsage.get('key-1', '2026-03')).toBe(0);
    });

    it('adds up per key and per month, returning the new total', async () => {
      expect(await storage.tokenUsage.add('key-1', '2026-03', 100)).toBe(100);
      expect(await storage.tokenUsage.add('key-1', '2026-03', 23)).toBe(123);
      expect(await storage.tokenUsage.add('key-1', '2026-04', 5)).toBe(5);
      expect(await storage.tokenUsage.add('key-2', '2026-03', 0)).toBe(0);
      expect(await storage.tokenUsage.get('key-1', '2026-03')).toBe(123);
      expect(await storage.tokenUsage.get('key-1', '2026-04')).toBe(5);
      expect(await storage.tokenUsage.get('key-2', '2026-03')).toBe(0);
    });

    it('loses no update when many adds race', async () => {
      await Promise.all(Array.from({ length: 50 }, () => storage.tokenUsage.add('key-1', '2026-03', 3)));
      expect(await storage.tokenUsage.get('key-1', '2026-03')).toBe(150);
    });

    it('holds totals beyond 32 bits', async () => {
      await storage.tokenUsage.add('key-1', '2026-03', 2 ** 40);
      expect(await storage.tokenUsage.add('key-1', '2026-03', 1)).toBe(2 ** 40 + 1);
    });

    it('refuses counts that are not non-negative integers', async () => {
      await expect(storage.tokenUsage.add('key-1', '2026-03', -1)).rejects.toThrow(RangeError);
      await expect(storage.tokenUsage.add('key-1', '2026-03', 1.5)).rejects.toThrow(RangeError);
      expect(await storage.tokenUsage.get('key-1', '2026-03')).toBe(0);
    });

    it('keeps usage across a reopen', async () => {
      await storage.tokenUsage.add('key-1', '2026-03', 42);
      await storage.close();
      storage = await backend.open(dir);
      expect(await storage.tokenUsage.get('key-1', '2026-03')).toBe(42);
    });
  });
}
