import type { AuditLog } from '../audit/audit-log.ts';
import type { MaintenanceView } from '../pipeline/maintenance.ts';
import { ALL_MODELS, type CooldownTracker } from '../routing/cooldowns.ts';
import type { ProviderRuntime } from '../routing/router.ts';
import type { WriteProbeResult } from './write-probe.ts';

/** The vault as health reports see it; `locked` means stored credentials cannot be decrypted. */
export type VaultState = 'unlocked' | 'locked' | 'not_configured';

/** One provider's credentials: how many there are, how many can take a request now, how many cool down. */
export interface ProviderHealth {
  id: string;
  credentials: number;
  usable: number;
  cooling: number;
}

/** The audit sink as health reports see it (never a path or message). */
export interface AuditSinkHealth {
  healthy: boolean;
  queued?: number;
  dropped?: number;
  failingSince?: string;
  lastError?: string;
}

/** Everything `/readyz` and `/api/health` read. Each member is cheap: the DB probe is rate limited (WriteProbe). */
export interface HealthSources {
  /** A real write to the database (cached for about a second). */
  db(): Promise<WriteProbeResult>;
  vault(): VaultState;
  providers(): ProviderHealth[];
  /** Undefined when no audit sink is attached. */
  auditSink(): AuditSinkHealth | undefined;
  maintenance: MaintenanceView;
}

/** The parts the standard sources are made of; absent parts report healthy defaults (see each). */
export interface HealthParts {
  /** Database write probe; absent → reported as not writable (fail closed). */
  db?: () => Promise<WriteProbeResult>;
  /** Vault state; absent → `unlocked` (no vault wired yet: config credentials need none). */
  vault?: () => VaultState;
  /** The routed providers, read on every call so pools loaded later count. */
  providers: () => readonly ProviderRuntime[];
  cooldowns: CooldownTracker;
  audit?: AuditLog;
  maintenance: MaintenanceView;
}

/** HealthSources over the running app's parts. */
export function createHealthSources(parts: HealthParts): HealthSources {
  return {
    db: parts.db ?? (() => Promise.resolve({ ok: false, code: 'NO_DATABASE' })),
    vault: parts.vault ?? (() => 'unlocked'),
    providers: () => parts.providers().map((provider) => providerHealth(provider, parts.cooldowns)),
    auditSink: () => (parts.audit === undefined ? undefined : auditHealth(parts.audit)),
    maintenance: parts.maintenance,
  };
}

/**
 * A credential is usable when it does not cool for every model and at least one of the provider's models is free
 * for it (a provider without a model list: when it does not cool for every model).
 */
export function providerHealth(provider: ProviderRuntime, cooldowns: CooldownTracker): ProviderHealth {
  const models = [...new Set(provider.models.values())];
  let usable = 0;
  let cooling = 0;
  for (const credential of provider.pool.members) {
    const allCooling = cooldowns.check(credential.id, ALL_MODELS) !== undefined;
    const free = !allCooling && (models.length === 0 || models.some((model) => cooldowns.check(credential.id, model) === undefined));
    if (free) usable++;
    if (allCooling || models.some((model) => cooldowns.check(credential.id, model) !== undefined)) cooling++;
  }
  return { id: provider.id, credentials: provider.pool.members.length, usable, cooling };
}

function auditHealth(audit: AuditLog): AuditSinkHealth {
  const status = audit.status?.();
  if (status === undefined) return { healthy: audit.healthy() };
  return {
    healthy: status.healthy,
    queued: status.queued,
    dropped: status.dropped,
    ...(status.failingSince === undefined ? {} : { failingSince: status.failingSince }),
    ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
  };
}
