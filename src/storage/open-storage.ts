import type { Storage } from './ports.ts';
import { openSqliteStorage } from './sql/sqlite.ts';

/** Opens the configured storage backend (embedded SQLite in `dataDir` today; PostgreSQL joins here). */
export function openStorage(dataDir: string): Promise<Storage> {
  return openSqliteStorage(dataDir);
}
