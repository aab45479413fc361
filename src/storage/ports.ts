/**
 * Storage ports: what the rest of Rampart may ask of persistence. Callers depend only on these interfaces, so a
 * PostgreSQL implementation can join SQLite without touching them.
 */

/** A client key as stored: never the key itself, only its HMAC and a short prefix for identification. */
export interface ClientKeyRecord {
  id: string;
  name: string;
  /** First characters of the key (e.g. `rk_live_ab12`), safe to display. */
  prefix: string;
  /** HMAC-SHA-256 of the full key under the instance's key pepper, hex. */
  hash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ClientKeyStore {
  insert(record: ClientKeyRecord): Promise<void>;
  list(): Promise<ClientKeyRecord[]>;
  findById(id: string): Promise<ClientKeyRecord | undefined>;
  findByHash(hash: string): Promise<ClientKeyRecord | undefined>;
  /** Marks the key revoked; returns false when no key has this id. Revoking twice keeps the first time. */
  revoke(id: string, at: Date): Promise<boolean>;
  count(): Promise<number>;
}

/** One cooldown of an upstream credential, as persisted so it survives a restart. */
export interface CooldownRecord {
  /** Opaque credential id (`<providerId>#<index>` or a configured id); never a secret. */
  credentialId: string;
  /** The model it applies to; `*` = every model (e.g. after an authentication failure). */
  model: string;
  until: Date;
  /** Why it cools (`auth`, `rate_limited`, …); a string so older rows of unknown kinds still load. */
  kind: string;
  /** Consecutive failures of this kind, which drives exponential back-off. */
  failures: number;
}

/** Persistence for credential cooldowns; one row per credential × model. */
export interface CooldownStore {
  list(): Promise<CooldownRecord[]>;
  /** Inserts or replaces the row for `record.credentialId` × `record.model`. */
  upsert(record: CooldownRecord): Promise<void>;
  remove(credentialId: string, model: string): Promise<void>;
  /** Deletes every row, or those whose credential id starts with the prefix (case-sensitive); returns how many. */
  removeAll(credentialIdPrefix?: string): Promise<number>;
}

/** All stores of one backend, opened and migrated. */
export interface Storage {
  readonly clientKeys: ClientKeyStore;
  readonly cooldowns: CooldownStore;
  close(): Promise<void>;
}
