/** Table shapes as Kysely sees them. Times are epoch milliseconds (INTEGER in SQLite, BIGINT in PostgreSQL). */
export interface ClientKeysTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
  // Added by 0003-client-key-scopes; rows from before it read NULL, which means "no restriction" for every one.
  /** Null on rows written before migration 0003: read as `created_at`. */
  updated_at: number | null;
  owner: string | null;
  /** JSON arrays of strings (text in both dialects, so one migration serves both). */
  models: string | null;
  providers: string | null;
  routes: string | null;
  ips: string | null;
  expires_at: number | null;
  rps: number | null;
  burst: number | null;
  monthly_tokens: number | null;
  max_tokens: number | null;
  disabled_at: number | null;
}

export interface Database {
  client_keys: ClientKeysTable;
}
