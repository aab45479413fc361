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
  /**
   * Last change of any setting (equals `createdAt` until the first update). Strictly increases per key, so caches of
   * compiled scopes can be keyed by id + this marker.
   */
  updatedAt: Date;
  /** Who the key is for (a person, team or app); a label, not an account. */
  owner: string | null;
  /** Model globs (`*`, `?`) the key may use; null = every model, [] = none. */
  models: readonly string[] | null;
  /** Provider ids the key may reach; null = every provider. */
  providers: readonly string[] | null;
  /** Path globs (e.g. `/v1/chat/*`) the key may call; null = every route. */
  routes: readonly string[] | null;
  /** CIDRs (a bare address = one host) the key may be used from; null = any address. */
  ips: readonly string[] | null;
  /** From this instant on the key is refused; null = never expires. */
  expiresAt: Date | null;
  /** Sustained requests per second for this key; null = the configured per-key default, if any. */
  rps: number | null;
  /** Requests allowed at once (token bucket size, at least `rps`); alone it applies to the configured per-key rate. */
  burst: number | null;
  /** Tokens (input + output) per calendar month (UTC); null = no quota. */
  monthlyTokens: number | null;
  /** Ceiling on the max tokens a request may ask for; null = only the global cap applies. */
  maxTokens: number | null;
  /** Set while the key is switched off (reversible, unlike revocation). */
  disabledAt: Date | null;
}

/**
 * What `ClientKeyStore.insert` takes: the settings added after the first release may be left out, and are stored as
 * unrestricted (null; `updatedAt` = `createdAt`), so code written before them keeps working.
 */
export type NewClientKeyRecord = Pick<ClientKeyRecord, 'id' | 'name' | 'prefix' | 'hash' | 'createdAt' | 'revokedAt'> & Partial<ClientKeyRecord>;

/** Settings `ClientKeyStore.update` may change; absent fields stay as they are, `null` clears. */
export type ClientKeyPatch = Partial<
  Pick<
    ClientKeyRecord,
    'name' | 'owner' | 'models' | 'providers' | 'routes' | 'ips' | 'expiresAt' | 'rps' | 'burst' | 'monthlyTokens' | 'maxTokens' | 'disabledAt'
  >
> & { updatedAt: Date };

export interface ClientKeyStore {
  insert(record: NewClientKeyRecord): Promise<void>;
  list(): Promise<ClientKeyRecord[]>;
  findById(id: string): Promise<ClientKeyRecord | undefined>;
  findByHash(hash: string): Promise<ClientKeyRecord | undefined>;
  /** Marks the key revoked; returns false when no key has this id. Revoking twice keeps the first time. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Applies the patch and returns the key as now stored; undefined when no key has this id. */
  update(id: string, patch: ClientKeyPatch): Promise<ClientKeyRecord | undefined>;
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

/** Tokens used per client key per calendar month (UTC), so monthly quotas survive a restart. */
export interface TokenUsageStore {
  /** Tokens recorded for the key in `month` (`YYYY-MM`, UTC); 0 when none. */
  get(keyId: string, month: string): Promise<number>;
  /** Adds `tokens` (a non-negative integer) to the key's month in one atomic step; returns the new total. */
  add(keyId: string, month: string, tokens: number): Promise<number>;
}

/** All stores of one backend, opened and migrated. */
export interface Storage {
  readonly clientKeys: ClientKeyStore;
  readonly cooldowns: CooldownStore;
  readonly tokenUsage: TokenUsageStore;
  close(): Promise<void>;
}
