import type { HealthSources } from '../health/health-sources.ts';
import { type SideListener, type SideListenerOptions, createSideListener } from '../server/side-listener.ts';

/**
 * The dashboard's Content-Security-Policy: its own origin only, no framing, no plugins, no base or form tricks.
 * Sent on every answer of the dashboard listener (JSON and 404s too: cheap, and nothing is left to chance).
 */
export const DASHBOARD_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

/** What `GET /api/health` answers. */
export interface HealthReport {
  /** `ok`, `degraded` (a check failed) or `maintenance`. */
  status: 'ok' | 'degraded' | 'maintenance';
  db: { writable: boolean; error?: string };
  vault: { state: ReturnType<HealthSources['vault']> };
  providers: ReturnType<HealthSources['providers']>;
  /** `attached: false` when no audit sink runs. */
  auditSink: ({ attached: true } & NonNullable<ReturnType<HealthSources['auditSink']>>) | { attached: false };
  maintenance: { enabled: boolean; message?: string };
}

/** Gathers the health report from its sources. */
export async function healthReport(health: HealthSources): Promise<HealthReport> {
  const db = await health.db();
  const state = health.vault();
  const providers = health.providers();
  const audit = health.auditSink();
  const maintenance = health.maintenance.enabled();
  const failing = !db.ok || state === 'locked' || !providers.some((p) => p.usable > 0) || audit?.healthy === false;
  return {
    status: maintenance ? 'maintenance' : failing ? 'degraded' : 'ok',
    db: db.ok ? { writable: true } : { writable: false, error: db.code },
    vault: { state },
    providers,
    auditSink: audit === undefined ? { attached: false } : { attached: true, ...audit },
    maintenance: maintenance ? { enabled: true, message: health.maintenance.message() } : { enabled: false },
  };
}

/**
 * The dashboard listener, minimal for now: `GET /api/health`. Always 200 with a `status` field (the UI shows
 * every part); load balancers use the proxy's `/readyz`. Every answer carries the security headers and the CSP.
 */
export function buildDashboardServer(health: HealthSources, options: Omit<SideListenerOptions, 'csp'>): SideListener {
  const listener = createSideListener({ ...options, csp: DASHBOARD_CSP });
  listener.app.get('/api/health', async (_request, reply) => {
    const report = await healthReport(health);
    return reply.header('cache-control', 'no-store').send(report);
  });
  return listener;
}
