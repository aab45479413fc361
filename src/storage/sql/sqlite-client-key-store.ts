import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { ClientKeyRecord } from '../ports.ts';
import { CLIENT_KEY_COLUMNS, SqlClientKeyStore } from './client-key-store.ts';
import type { ClientKeysTable, Database } from './database.ts';

/**
 * SQLite flavour of the client key store. `findByHash` runs on every proxied request; Kysely's SQLite driver prepares
 * a statement per query, so this one lookup uses a statement prepared once. Everything else goes through Kysely.
 */
export class SqliteClientKeyStore extends SqlClientKeyStore {
  readonly #byHash: BetterSqlite3.Statement<[string], ClientKeysTable>;

  constructor(db: Kysely<Database>, sqlite: BetterSqlite3.Database) {
    super(db);
    this.#byHash = sqlite.prepare<[string], ClientKeysTable>(`select ${CLIENT_KEY_COLUMNS.join(', ')} from client_keys where hash = ?`);
  }

  override findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const row = this.#byHash.get(hash);
    return Promise.resolve(row && SqlClientKeyStore.toRecord(row));
  }
}
