import type { FastifyInstance } from 'fastify';
import type { MaintenanceView } from '../pipeline/maintenance.ts';

/** Liveness, open to all (no key): it says only that the process answers, and whether it is in maintenance. */
export function registerHealthRoutes(app: FastifyInstance, maintenance: MaintenanceView): void {
  app.get('/healthz', { config: { public: true } }, () =>
    maintenance.enabled() ? { status: 'maintenance', message: maintenance.message() } : { status: 'ok' },
  );
}
