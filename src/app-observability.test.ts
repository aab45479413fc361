import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, type AppDeps, buildApp } from './app.ts';
import { MemoryAuditLog } from './audit/audit-log.ts';
import { parseConfig } from './config/load.ts';
import { DASHBOARD_CSP } from './dashboard/dashboard-server.ts';
import { type MockUpstream, startMockUpstream } from './devtools/mock-upstream/index.ts';
import { ClientKeyService, type CreatedKey } from './keys/client-keys.ts';
import { MonthlyQuota } from './limits/monthly-quota.ts';
import { createLogger } from './logging/logger.ts';
import { CooldownTracker } from './routing/cooldowns.ts';
import { MemoryCooldownStore } from './storage/memory/memory-cooldown-store.ts';
import type { Storage } from './storage/ports.ts';
import { openSqliteStorage } from './storage/sql/sqlite.ts';

/** The value of one series in an exposition text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const BASELINE_HEADERS = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };

describe('metrics, health and the side listeners (in-process)', () => {
  let mock: MockUpstream;
  let storage: Storage;
  let dataDir: string;
  let created: CreatedKey;
  let keys: ClientKeyService;
  const upstreamKey = 'sk-observe-upstream-secret';
  const apps: App[] = [];

  const configYaml = (mockUrl: string, extra = '') => `server:
  proxy: { port: 0 }
  metrics: { port: 0 }
  dashboard: { port: 0 }
${extra}providers:
  - id: good
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mockUrl}/v1
    credentials: [{ apiKey: "${upstreamKey}", id: good-main }]
    models: [gpt-4o-mini]
  - id: wrongkey
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mockUrl}/v1
    credentials: [{ apiKey: sk-wrong-observe }]
    models: [wrong-key-model]
  - id: down
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: http://127.0.0.1:1/v1
    credentials: [{ apiKey: sk-down-observe }]
    models: [down-model]
`;

  /** A fresh app over the shared storage; `deps` override the defaults. */
  function build(overrides: Partial<AppDeps> = {}, extraConfig = ''): { app: App; cooldowns: CooldownTracker; audit: MemoryAuditLog } {
    const { config } = parseConfig(configYaml(mock.url, extraConfig), { env: {} });
    const cooldowns = new CooldownTracker(new MemoryCooldownStore(), config.routing.cooldowns);
    const audit = new MemoryAuditLog();
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const app = buildApp({
      config,
      keys,
      cooldowns,
      quota: new MonthlyQuota({ store: storage.tokenUsage }),
      log: createLogger('warn', sink),
      audit,
      dbWritable: () => storage.checkWritable(),
      ...overrides,
    });
    apps.push(app);
    return { app, cooldowns, audit };
  }

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, apiKey: upstreamKey });
    dataDir = await mkdtemp(path.join(tmpdir(), 'rampart-observe-'));
    storage = await openSqliteStorage(dataDir);
    keys = new ClientKeyService(storage.clientKeys, Buffer.alloc(32, 7));
    created = await keys.create('observer');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await mock.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const chat = (app: App, body: unknown, key = created.key) =>
    app.proxy.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const scrape = async (app: App) => {
    const res = await app.side.metrics!.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('counts real requests by route pattern, provider and status; upstream latency, errors, streams and tokens', async () => {
    const { app } = build();
    expect(app.side.metrics).toBeDefined();
    const before = await scrape(app);
    expect(sample(before, 'rampart_http_requests_total{route="/v1/chat/completions",provider="good",status_class="2xx"}')).toBe(0);

    expect((await chat(app, hi)).statusCode).toBe(200);
    const streamed = await chat(app, { ...hi, stream: true });
    expect(streamed.statusCode).toBe(200);
    expect(streamed.body).toContain('data:');
    expect((await chat(app, { ...hi, model: 'wrong-key-model' })).statusCode).toBe(502);
    expect((await chat(app, { ...hi, model: 'down-model' })).statusCode).toBe(503);
    expect((await chat(app, hi, 'rk_live_not-a-key')).statusCode).toBe(401);
    expect((await app.proxy.inject({ method: 'GET', url: `/v1/nowhere/${'x'.repeat(10)}?key=${created.key}`, headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(401);
    expect((await app.proxy.inject({ method: 'GET', url: '/v1/nowhere/else', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(404);
    expect((await app.proxy.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${created.key}` } })).statusCode).toBe(200);

    const text = await scrape(app);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="good",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="wrongkey",status_class="5xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="down",status_class="5xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="none",status_class="4xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_requests_total{route="unmatched",provider="none",status_class="4xx"}')).toBe(2);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/models",provider="none",status_class="2xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_request_duration_seconds_count{route="/v1/chat/completions",provider="good",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'rampart_upstream_request_duration_seconds_count{provider="good"}')).toBe(2);
    expect(sample(text, 'rampart_upstream_errors_total{provider="wrongkey",kind="auth"}')).toBe(1);
    expect(sample(text, 'rampart_upstream_errors_total{provider="down",kind="unavailable"}')).toBe(1);
    expect(sample(text, 'rampart_streams_in_flight{provider="good"}')).toBe(0);
    expect(text).toContain('rampart_streams_in_flight{provider="good"}');
    expect(sample(text, 'rampart_tokens_total{provider="good",kind="input"}')).toBeGreaterThan(0);
    expect(sample(text, 'rampart_tokens_total{provider="good",kind="output"}')).toBeGreaterThan(0);
    expect(sample(text, 'rampart_credential_cooling{provider="wrongkey",credential="wrongkey#0"}')).toBe(1);
    expect(sample(text, 'rampart_credential_cooling{provider="good",credential="good-main"}')).toBe(0);
    // The pipeline audits the refused key; the metrics hear it through the audit log.
    expect(sample(text, 'rampart_auth_failures_total{reason="invalid"}')).toBe(1);

    // No label carries a client key, its id or prefix, an IP address, an upstream secret or a raw URL.
    for (const forbidden of [created.key, created.record.id, created.record.prefix, upstreamKey, 'sk-wrong-observe', '127.0.0.1', '/v1/nowhere', '?key=']) {
      expect(text, forbidden).not.toContain(forbidden);
    }
    expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(text).not.toMatch(/rk_live_/);
  });

  it('a stream cut mid-way counts as stream_interrupted and leaves no stream in flight', async () => {
    const { app } = build();
    const cut = await chat(app, { ...hi, stream: true, messages: [{ role: 'user', content: 'tell me a long story [mock:reset-after=2]' }] });
    expect(cut.statusCode).toBe(200);
    const text = await scrape(app);
    expect(sample(text, 'rampart_upstream_errors_total{provider="good",kind="stream_interrupted"}')).toBe(1);
    expect(sample(text, 'rampart_streams_in_flight{provider="good"}')).toBe(0);
    expect(text).toContain('rampart_streams_in_flight{provider="good"} 0');
  });

  it('feeds the security counters from the audit log it is given', async () => {
    const { app, audit } = build();
    audit.record({ type: 'auth_failure', actor: 'anonymous', ip: '198.51.100.7', outcome: 'denied', details: { code: 'RAMPART_AUTH_INVALID_KEY' } });
    audit.record({ type: 'waf_block', actor: 'key:x', outcome: 'blocked', details: { ruleId: 'r1' } });
    const text = await scrape(app);
    expect(sample(text, 'rampart_auth_failures_total{reason="invalid"}')).toBe(1);
    expect(sample(text, 'rampart_security_events_total{type="waf_block"}')).toBe(1);
    expect(text).not.toContain('198.51.100.7');
  });

  it('serves /metrics with the security headers and no Server / X-Powered-By; other paths are 404 JSON', async () => {
    const { app } = build();
    const metrics = app.side.metrics!.app;
    for (const url of ['/metrics', '/nope']) {
      const res = await metrics.inject({ method: 'GET', url });
      expect(res.headers).toMatchObject(BASELINE_HEADERS);
      expect(res.headers.server).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const missing = await metrics.inject({ method: 'GET', url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'RAMPART_ROUTE_NOT_FOUND' } });
  });

  it('/readyz: 200 when ready; 503 naming each failed check; 503 with the message in maintenance', async () => {
    const ready = build().app;
    const ok = await ready.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ready', failed: [], checks: { db: { ok: true }, vault: { ok: true, state: 'unlocked' }, credentials: { ok: true, usable: 3 } } });

    const diskFull = Object.assign(new Error(`disk full at ${dataDir}/rampart.db`), { code: 'SQLITE_FULL' });
    const noDb = build({ dbWritable: () => Promise.reject(diskFull) }).app;
    const dbFailed = await noDb.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(dbFailed.statusCode).toBe(503);
    expect(dbFailed.json()).toMatchObject({ status: 'not_ready', failed: ['db'], checks: { db: { ok: false, error: 'SQLITE_FULL' } } });
    expect(dbFailed.body).not.toContain(dataDir);

    const locked = build({ vaultState: () => 'locked' }).app;
    const vaultFailed = await locked.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(vaultFailed.statusCode).toBe(503);
    expect(vaultFailed.json()).toMatchObject({ failed: ['vault'], checks: { vault: { ok: false, state: 'locked' } } });

    const { app: cold, cooldowns } = build();
    for (const id of ['good-main', 'wrongkey#0', 'down#0']) cooldowns.recordFailure(id, 'gpt-4o-mini', 'auth');
    const credsFailed = await cold.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(credsFailed.statusCode).toBe(503);
    expect(credsFailed.json()).toMatchObject({ failed: ['credentials'], checks: { credentials: { ok: false, usable: 0 } } });

    ready.maintenance.set(true, 'back at noon');
    const maintenance = await ready.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(maintenance.statusCode).toBe(503);
    expect(maintenance.json()).toEqual({ status: 'maintenance', message: 'back at noon' });
    ready.maintenance.set(false);
  });

  it('/readyz fails for the database when no probe is wired, and needs no key', async () => {
    const { app } = build({ dbWritable: undefined });
    const res = await app.proxy.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ failed: ['db'] });
  });

  it('/api/health reports db, vault, providers, audit sink and maintenance, with the CSP and security headers', async () => {
    const { app, cooldowns } = build();
    cooldowns.recordFailure('down#0', 'down-model', 'network');
    const dashboard = app.side.dashboard!.app;
    const res = await dashboard.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      db: { writable: true },
      vault: { state: 'unlocked' },
      providers: [
        { id: 'good', credentials: 1, usable: 1, cooling: 0 },
        { id: 'wrongkey', credentials: 1, usable: 1, cooling: 0 },
        { id: 'down', credentials: 1, usable: 0, cooling: 1 },
      ],
      auditSink: { attached: true, healthy: true },
      maintenance: { enabled: false },
    });
    app.maintenance.set(true, 'upgrading');
    expect((await dashboard.inject({ method: 'GET', url: '/api/health' })).json()).toMatchObject({ status: 'maintenance', maintenance: { enabled: true, message: 'upgrading' } });
    app.maintenance.set(false);

    for (const [method, url] of [['GET', '/api/health'], ['GET', '/'], ['GET', '/api/nope'], ['POST', '/api/health']] as const) {
      const answer = await dashboard.inject({ method, url });
      expect(answer.headers['content-security-policy'], url).toBe(DASHBOARD_CSP);
      expect(answer.headers).toMatchObject(BASELINE_HEADERS);
      expect(answer.headers.server).toBeUndefined();
      expect(answer.headers['x-powered-by']).toBeUndefined();
      if (url !== '/api/health' || method !== 'GET') {
        expect(answer.statusCode).toBe(404);
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
      }
    }
    expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
  });

  it('/api/health says degraded when a part fails', async () => {
    const { app } = build({ vaultState: () => 'locked' });
    const report = (await app.side.dashboard!.app.inject({ method: 'GET', url: '/api/health' })).json<{ status: string }>();
    expect(report.status).toBe('degraded');
  });

  it('switches off: no metrics listener (and no counting), no dashboard; /readyz stays', () => {
    const yaml = configYaml(mock.url).replace('metrics: { port: 0 }', 'metrics: { enabled: false }').replace('dashboard: { port: 0 }', 'dashboard: { enabled: false }');
    const { config } = parseConfig(yaml, { env: {} });
    const cooldowns = new CooldownTracker(new MemoryCooldownStore(), config.routing.cooldowns);
    const disabled = buildApp({ config, keys, cooldowns, quota: new MonthlyQuota({ store: storage.tokenUsage }), log: createLogger('silent') });
    apps.push(disabled);
    expect(disabled.side.metrics).toBeUndefined();
    expect(disabled.side.dashboard).toBeUndefined();
    expect(disabled.proxy.hasRoute({ method: 'GET', url: '/readyz' })).toBe(true);
  });
});
