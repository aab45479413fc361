import type { Logger } from 'pino';
import type { AuditLog } from './audit/audit-log.ts';
import type { RampartConfig } from './config/schema.ts';
import { buildDashboardServer } from './dashboard/dashboard-server.ts';
import { type HealthSources, type VaultState, createHealthSources } from './health/health-sources.ts';
import { WriteProbe } from './health/write-probe.ts';
import { buildMetricsServer } from './metrics/metrics-server.ts';
import { RampartMetrics } from './metrics/rampart-metrics.ts';
import { hstsOption } from './pipeline/security-headers.ts';
import type { MaintenanceView } from './pipeline/maintenance.ts';
import type { CooldownTracker } from './routing/cooldowns.ts';
import type { Router } from './routing/router.ts';
import type { SideListener } from './server/side-listener.ts';
import type { TlsServerOptions } from './server/tls.ts';

/** What the metrics, health and side listeners are built from (AppDeps members, plus the app's own parts). */
export interface ObservabilityParts {
  config: RampartConfig;
  log: Logger;
  /** The router, read lazily (it is built after the metrics, which the upstream client needs first). */
  router: () => Router;
  cooldowns: CooldownTracker;
  audit?: AuditLog | undefined;
  /** A real database write (Storage.checkWritable); absent → readiness reports the database as failing. */
  dbWritable?: (() => Promise<void>) | undefined;
  /** The vault's state; absent → `unlocked`. */
  vaultState?: (() => VaultState) | undefined;
  /** How many IP addresses are blocked now; absent → 0. */
  blockedIpCount?: (() => number) | undefined;
  metricsTls?: TlsServerOptions | undefined;
  dashboardTls?: TlsServerOptions | undefined;
}

/** Rampart's metrics, unless `server.metrics.enabled` is false (then nothing is counted at all). */
export function createMetrics(parts: ObservabilityParts): RampartMetrics | undefined {
  if (!parts.config.server.metrics.enabled) return undefined;
  const { cooldowns } = parts;
  return new RampartMetrics({
    providerIds: parts.config.providers.map((p) => p.id),
    credentials: function* () {
      for (const provider of parts.router().providers()) {
        for (const member of provider.pool.members) yield { providerId: provider.id, credentialId: member.id };
      }
    },
    coolingCredentialIds: () => cooldowns.list().map((record) => record.credentialId),
    blockedIps: () => parts.blockedIpCount?.() ?? 0,
  });
}

/** Health sources over the app's parts; the DB probe runs at most once a second whatever the request rate. */
export function createHealth(parts: ObservabilityParts, maintenance: MaintenanceView): HealthSources {
  const probe = parts.dbWritable === undefined ? undefined : new WriteProbe(parts.dbWritable);
  return createHealthSources({
    ...(probe === undefined ? {} : { db: () => probe.check() }),
    ...(parts.vaultState === undefined ? {} : { vault: parts.vaultState }),
    providers: () => parts.router().providers(),
    cooldowns: parts.cooldowns,
    ...(parts.audit === undefined ? {} : { audit: parts.audit }),
    maintenance,
  });
}

/** The listeners beside the proxy, each unless switched off, plus the audit subscription of the metrics. */
export interface SideListeners {
  metrics?: SideListener;
  dashboard?: SideListener;
  close(): Promise<void>;
}

/** Builds the metrics and dashboard listeners (not yet listening) and subscribes the metrics to the audit log. */
export function buildSideListeners(parts: ObservabilityParts, metrics: RampartMetrics | undefined, health: HealthSources): SideListeners {
  const { config, log } = parts;
  const hsts = hstsOption(config.security.hsts);
  const unsubscribe = metrics !== undefined && parts.audit !== undefined ? metrics.subscribe(parts.audit) : undefined;
  const metricsListener = metrics === undefined ? undefined : buildMetricsServer(metrics.registry, { log, hsts, tls: parts.metricsTls });
  const dashboard = config.server.dashboard.enabled ? buildDashboardServer(health, { log, hsts, tls: parts.dashboardTls }) : undefined;
  return {
    ...(metricsListener === undefined ? {} : { metrics: metricsListener }),
    ...(dashboard === undefined ? {} : { dashboard }),
    async close() {
      unsubscribe?.();
      await Promise.all([metricsListener?.app.close(), dashboard?.app.close()]);
    },
  };
}
