import type { HealthSources, VaultState } from './health-sources.ts';

/** The checks `/readyz` runs, by name; a failed one says why in a fixed word or code, never with data. */
export interface ReadinessChecks {
  db: { ok: boolean; error?: string };
  vault: { ok: boolean; state: VaultState };
  credentials: { ok: boolean; usable: number };
}

/** The outcome of a readiness check. */
export interface Readiness {
  ready: boolean;
  /** Names of the failed checks, in a fixed order. */
  failed: (keyof ReadinessChecks)[];
  checks: ReadinessChecks;
}

/**
 * Ready means: the database takes a real write, the vault is unlocked (or there is none), and at least one upstream
 * credential of any provider can take a request now (not cooling down for every model).
 */
export async function checkReadiness(sources: HealthSources): Promise<Readiness> {
  const db = await sources.db();
  const state = sources.vault();
  const usable = sources.providers().reduce((sum, provider) => sum + provider.usable, 0);
  const checks: ReadinessChecks = {
    db: db.ok ? { ok: true } : { ok: false, error: db.code },
    vault: { ok: state !== 'locked', state },
    credentials: { ok: usable > 0, usable },
  };
  const failed = (['db', 'vault', 'credentials'] as const).filter((name) => !checks[name].ok);
  return { ready: failed.length === 0, failed, checks };
}
