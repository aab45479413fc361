import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSideListeners, createHealth } from '../app-observability.ts';
import { parseConfig } from '../config/load.ts';
import { createLogger } from '../logging/logger.ts';
import { RampartMetrics } from '../metrics/rampart-metrics.ts';
import { MaintenanceState } from '../pipeline/maintenance.ts';
import { CooldownTracker } from '../routing/cooldowns.ts';
import { Router } from '../routing/router.ts';
import { MemoryCooldownStore } from '../storage/memory/memory-cooldown-store.ts';
import { loadSideTls, startSideListeners } from './start-side-listeners.ts';
import { type TestCertificate, makeCertificate } from './test-certificates.ts';

/** GET over HTTPS trusting only `ca`; resolves with status, headers and body. */
function get(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('side listeners over TLS', () => {
  let dir: string;
  let cert: TestCertificate;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-side-tls-'));
    cert = await makeCertificate(dir, 'side');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /metrics and /api/health over HTTPS with HSTS, prints their https URLs and closes', async () => {
    const { config } = parseConfig(
      `server:\n  metrics: { port: 0, tls: { certFile: side.crt, keyFile: side.key } }\n  dashboard: { port: 0, tls: { certFile: side.crt, keyFile: side.key } }\n`,
      { env: {} },
    );
    const log = createLogger('silent');
    const cooldowns = new CooldownTracker(new MemoryCooldownStore());
    const router = new Router([]);
    const parts = { config, log, router: () => router, cooldowns, dbWritable: () => Promise.resolve(), ...(await loadSideTls(config, dir, log)) };
    const health = createHealth(parts, new MaintenanceState(config.security.maintenance));
    const side = buildSideListeners(parts, new RampartMetrics({ providerIds: [], defaultMetrics: false }), health);
    const lines: string[] = [];
    const started = await startSideListeners(side, config, { baseDir: dir, log, notice: (l) => lines.push(l), tls: parts });
    try {
      expect(started.metricsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(started.dashboardUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(lines).toEqual([`rampart metrics listening on ${started.metricsUrl} (/metrics)`, `rampart dashboard listening on ${started.dashboardUrl} (/api/health)`]);
      const metrics = await get(`${started.metricsUrl}/metrics`, cert.cert);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('# TYPE rampart_http_requests_total counter');
      expect(metrics.headers['strict-transport-security']).toMatch(/max-age=/);
      const health = await get(`${started.dashboardUrl}/api/health`, cert.cert);
      expect(health.status).toBe(200);
      // No provider configured: nothing is usable, so the report says degraded.
      expect(JSON.parse(health.body)).toMatchObject({ status: 'degraded', db: { writable: true }, providers: [] });
      expect(health.headers['strict-transport-security']).toMatch(/max-age=/);
      expect(health.headers['content-security-policy']).toContain("object-src 'none'");
    } finally {
      started.stop();
      await side.close();
    }
    await expect(get(`${started.metricsUrl}/metrics`, cert.cert)).rejects.toThrow();
  });
});
