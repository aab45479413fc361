import type { FastifyInstance } from 'fastify';

/** Liveness, open to all (no key): it says only that the process answers. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get('/healthz', { config: { public: true } }, () => ({ status: 'ok' }));
}
