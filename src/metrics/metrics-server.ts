import type { Registry } from 'prom-client';
import { type SideListener, type SideListenerOptions, createSideListener } from '../server/side-listener.ts';

/**
 * The metrics listener: `GET /metrics` in the Prometheus text format, from Rampart's own registry. Loopback by
 * default (server.metrics); the page holds no secret and no per-client label, but it describes the traffic.
 */
export function buildMetricsServer(registry: Registry, options: SideListenerOptions): SideListener {
  const listener = createSideListener(options);
  listener.app.get('/metrics', async (_request, reply) => {
    const text = await registry.metrics();
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
  });
  return listener;
}
