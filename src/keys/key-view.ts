import type { ClientKeyRecord } from '../storage/ports.ts';

/** Where a key stands, in the order authentication checks it: revoked beats expired beats disabled. */
export type KeyStatus = 'active' | 'disabled' | 'expired' | 'revoked';

/** The key's status at `now`. */
export function keyStatus(record: ClientKeyRecord, now: Date): KeyStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (record.disabledAt !== null) return 'disabled';
  return 'active';
}

/** A key as operators may see it (CLI `--json`, management API): every setting, never the hash. */
export interface KeyView {
  id: string;
  name: string;
  owner: string | null;
  prefix: string;
  status: KeyStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  disabledAt: string | null;
  revokedAt: string | null;
  models: readonly string[] | null;
  providers: readonly string[] | null;
  routes: readonly string[] | null;
  ips: readonly string[] | null;
  rps: number | null;
  burst: number | null;
  monthlyTokens: number | null;
  maxTokens: number | null;
}

/** Builds the view field by field (not by spreading the record), so a future secret-bearing field stays out. */
export function keyView(record: ClientKeyRecord, now: Date): KeyView {
  return {
    id: record.id,
    name: record.name,
    owner: record.owner,
    prefix: record.prefix,
    status: keyStatus(record, now),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    disabledAt: record.disabledAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
    models: record.models,
    providers: record.providers,
    routes: record.routes,
    ips: record.ips,
    rps: record.rps,
    burst: record.burst,
    monthlyTokens: record.monthlyTokens,
    maxTokens: record.maxTokens,
  };
}
