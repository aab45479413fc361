import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from '../../lib/secure-file.ts';
import type { Storage } from '../ports.ts';
import { SqliteClientKeyStore } from './sqlite-client-key-store.ts';
import { SqliteAuditEventStore, SqliteUsageEventStore } from './sqlite-event-stores.ts';
import { type CooldownTables, SqlCooldownStore } from './cooldown-store.ts';
import type { Database } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { sqliteWriteProbe } from './sqlite-write-probe.ts';
import { SqlTokenUsageStore, type TokenUsageTables } from './token-usage-store.ts';
import { SqlVaultStore, type VaultTables } from './vault-store.ts';
import type { UsageEventTables } from './usage-event-store.ts';
import { type IpBlockTables, SqlIpBlockStore } from './ip-block-store.ts';
import type { AuditEventTables } from './audit-event-store.ts';

/** File name of the embedded database inside `dataDir`. */
export const SQLITE_FILE = 'rampart.db';

/**
 * Opens (creating if needed) the embedded SQLite database in `dataDir` and migrates it.
 * WAL lets the server read while a CLI command writes; synchronous=FULL because keys and audit data must survive a
 * power cut; busy_timeout makes concurrent writers (serve + CLI) wait instead of failing.
 */
export async function openSqliteStorage(dataDir: string): Promise<Storage> {
  await ensurePrivateDir(dataDir);
  const file = path.join(dataDir, SQLITE_FILE);
  // Created 0600 before SQLite opens it, so it never exists with the umask's looser mode.
  await ensurePrivateFile(file);
  const sqlite = new BetterSqlite3(file);
  // SQLite gives its -wal and -shm files the database file's mode, so this covers all three.
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    clientKeys: new SqliteClientKeyStore(db, sqlite),
    cooldowns: new SqlCooldownStore(db.withTables<CooldownTables>()),
    tokenUsage: new SqlTokenUsageStore(db.withTables<TokenUsageTables>()),
    vault: new SqlVaultStore(db.withTables<VaultTables>()),
    usageEvents: new SqliteUsageEventStore(db.withTables<UsageEventTables>(), sqlite),
    ipBlocks: new SqlIpBlockStore(db.withTables<IpBlockTables>()),
    auditEvents: new SqliteAuditEventStore(db.withTables<AuditEventTables>(), sqlite),
    checkWritable: sqliteWriteProbe(sqlite),
    close: () => db.destroy(),
  };
}
