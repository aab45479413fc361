/**
 * Storage ports: what the rest of Rampart may ask of persistence. Callers depend only on these interfaces, so a
 * PostgreSQL implementation can join SQLite without touching them.
 */

import type { AuditRecord } from '../audit/audit-log.ts';

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

/** Filters of `AuditEventStore.query`; times are inclusive bounds. */
export interface AuditQuery {
  since?: Date;
  until?: Date;
  type?: string;
  actor?: string;
  /** Most rows returned (oldest first). */
  limit: number;
}

/** The audit log's query index: a row per record of audit.jsonl (which stays the record of truth). */
export interface AuditEventStore {
  /** Inserts the records in one transaction. */
  append(records: readonly AuditRecord[]): Promise<void>;
  /** Index of the newest row, or -1 when the table is empty. */
  lastIndex(): Promise<number>;
  /** Rows with `fromIndex <= index`, oldest first, at most `limit`. */
  range(fromIndex: number, limit: number): Promise<AuditRecord[]>;
  /** The newest `limit` rows (of one type if given), oldest first. */
  tail(limit: number, type?: string): Promise<AuditRecord[]>;
  query(filter: AuditQuery): Promise<AuditRecord[]>;
}

/** How a proxied request ended, as usage accounting records it. */
export type UsageOutcome = 'ok' | 'client_error' | 'rate_limited' | 'upstream_error' | 'internal_error' | 'client_abort';

/** One proxied request as usage accounting stores it (see src/usage/). Never a prompt, never a secret. */
export interface UsageEventRecord {
  time: Date;
  requestId: string;
  /** Client key id; null when the route needs none (never in practice: the proxy fails closed). */
  keyId: string | null;
  providerId: string | null;
  credentialId: string | null;
  /** The model as the client asked for it, and as it was sent upstream (alias resolved; null if no attempt ran). */
  modelRequested: string;
  modelUpstream: string | null;
  /** `chat`, `embeddings` or `count_tokens`. */
  route: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** True when the counts are Rampart's estimate (a stream cut before its usage event), not the provider's. */
  estimated: boolean;
  latencyMs: number;
  /** HTTP status sent to the client; 499 when the client left before any status was sent. */
  status: number;
  outcome: UsageOutcome;
}

/** What usage totals are grouped by. */
export type UsageGroupBy = 'key' | 'model' | 'provider' | 'credential';

/** Totals of one group over a time range. */
export interface UsageTotals {
  /** The key id, upstream model (requested model when none was sent), provider id or credential id; '' when unknown. */
  group: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Requests whose counts are estimates. */
  estimatedRequests: number;
  /** Requests whose outcome was not `ok`. */
  failedRequests: number;
  /** Sum of latencies, so callers can average over any merge of groups. */
  latencyMsTotal: number;
}

/** Persistence of usage events: appended in batches, read as totals over a time range. */
export interface UsageEventStore {
  /** Appends the events in one transaction. Re-inserting an event with the same request id is a no-op. */
  insertMany(events: readonly UsageEventRecord[]): Promise<void>;
  /** Totals per group of the events with `since <= time < until`, largest token total first. */
  totals(query: { since: Date; until: Date; groupBy: UsageGroupBy }): Promise<UsageTotals[]>;
  /** The events of a time range, oldest first, at most `limit`. */
  list(query: { since: Date; until: Date; limit: number }): Promise<UsageEventRecord[]>;
}

/** One blocked client address (or IPv6 /64), persisted so blocks survive a restart and reach every process. */
export interface IpBlockRecord {
  /** Normalised address (dotted quad) or IPv6 /64 network (`2001:db8:1:2::/64`). */
  ip: string;
  until: Date;
  reason: string;
  createdAt: Date;
  /** `alert:<rule id>`, `cli`, `api:<user>`… */
  createdBy: string;
}

/** Persistence of IP blocks. */
export interface IpBlockStore {
  list(): Promise<IpBlockRecord[]>;
  /** Inserts the block or replaces the one for the same address. */
  upsert(record: IpBlockRecord): Promise<void>;
  /** Deletes the block; false when there was none. */
  remove(ip: string): Promise<boolean>;
  /** Deletes blocks that ended before `now`; returns how many. */
  removeExpired(now: Date): Promise<number>;
}

/** One vault key version. Only a check value of the key is stored (an HMAC of a fixed label), never the key. */
export interface VaultKeyRecord {
  version: number;
  /** Proves at boot that the key given opens this version, without storing anything that reveals the key. */
  checkValue: string;
  createdAt: Date;
  /** Set when a rotation replaced this version; blobs still under it are refused. */
  retiredAt: Date | null;
}

/** One encrypted credential as stored (src/vault/vault-cipher.ts explains `blob`). */
export interface VaultCredentialRecord {
  id: string;
  providerId: string;
  kind: string;
  label: string | null;
  /** Non-secret facts as a JSON object (text in every dialect). */
  meta: string;
  keyVersion: number;
  /** base64 of nonce ‖ ciphertext ‖ tag. */
  blob: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A write that must land under the current key version: a rotation that committed meanwhile makes it `stale_key`. */
export type VaultWriteResult = 'ok' | 'duplicate' | 'not_found' | 'stale_key';

/** Persistence of the credential vault: encrypted rows and the key version history. No cryptography here. */
export interface VaultStore {
  keyVersions(): Promise<VaultKeyRecord[]>;
  /** Starts the key history with `key` when it is empty; false when it was not (another process was first). */
  initKey(key: VaultKeyRecord): Promise<boolean>;
  list(): Promise<VaultCredentialRecord[]>;
  get(id: string): Promise<VaultCredentialRecord | undefined>;
  count(): Promise<number>;
  /** Inserts a credential: `duplicate` when the id exists, `stale_key` when its key version is no longer current. */
  insert(record: VaultCredentialRecord): Promise<VaultWriteResult>;
  /** Replaces a credential's blob (and kind, meta when given) under a still-current key version. */
  update(id: string, change: Pick<VaultCredentialRecord, 'kind' | 'blob' | 'keyVersion' | 'updatedAt'> & { meta?: string }): Promise<VaultWriteResult>;
  remove(id: string): Promise<boolean>;
  /**
   * In ONE transaction: adds `newKey`, rewrites the blob of every credential under `fromVersion` with `reencrypt`,
   * retires every older version. Throws (changing nothing) when `fromVersion` is no longer current or `reencrypt`
   * throws. Returns how many credentials were re-encrypted.
   */
  rotate(fromVersion: number, newKey: VaultKeyRecord, reencrypt: (record: VaultCredentialRecord) => string, onProgress?: (done: number, total: number) => void): Promise<number>;
}

/** All stores of one backend, opened and migrated. */
export interface Storage {
  readonly clientKeys: ClientKeyStore;
  readonly cooldowns: CooldownStore;
  readonly tokenUsage: TokenUsageStore;
  /** Encrypted upstream credentials (src/vault opens them). */
  readonly vault: VaultStore;
  readonly usageEvents: UsageEventStore;
  readonly ipBlocks: IpBlockStore;
  readonly auditEvents: AuditEventStore;
  /** A cheap real write (readiness): resolves when the database took it, rejects with the driver's error. */
  checkWritable(): Promise<void>;
  close(): Promise<void>;
}
