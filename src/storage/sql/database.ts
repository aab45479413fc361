/** Table shapes as Kysely sees them. Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL). */
export interface ClientKeysTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

export interface Database {
  client_keys: ClientKeysTable;
}
