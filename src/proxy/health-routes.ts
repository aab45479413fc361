import type { FastifyInstance } from 'fastify';
import type { HealthSources } from '../health/health-sources.ts';
import { checkReadiness } from '../health/readiness.ts';
import type { MaintenanceView } from '../pipeline/maintenance.ts';

/**
 * Liveness and readiness, open to all (no key). `/healthz` says only that the process answers, and whether it is in
 * maintenance. `/readyz` answers 200 when the database takes a write, the vault is unlocked and a credential is
 * usable, else 503 naming the failed checks (maintenance: 503 with its message). Neither shows a secret or a path.
 */
export function registerHealthRoutes(app: FastifyInstance, maintenance: MaintenanceView, health?: HealthSources): void {
  app.get('/healthz', { config: { public: true } }, () =>
    maintenance.enabled() ? { status: 'maintenance', message: maintenance.message() } : { status: 'ok' },
  );
  if (health === undefined) return;
  app.get('/readyz', { config: { public: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (maintenance.enabled()) return reply.code(503).send({ status: 'maintenance', message: maintenance.message() });
    const readiness = await checkReadiness(health);
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'not_ready', failed: readiness.failed, checks: readiness.checks });
  });
}
