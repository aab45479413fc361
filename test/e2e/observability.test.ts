import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/** The value of one series in an exposition text (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * `rampart serve` with the metrics and dashboard listeners on free ports: Prometheus scrapes over HTTP see the
 * request counter move after a proxied request, readiness and health answer, and nothing secret or per-client shows.
 */
describe('metrics, readiness and health of a real `rampart serve`', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let proxyUrl: string;
  let metricsUrl: string;
  let dashboardUrl: string;
  let key: string;
  let keyId: string;
  const upstreamKey = 'sk-upstream-observe-e2e-5550123';
  const chatSeries = 'rampart_http_requests_total{route="/v1/chat/completions",provider="local",status_class="2xx"}';

  const scrape = async () => {
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };
  const chat = (body: Record<string, unknown>) =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], ...body }),
    });

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0', '--api-key', upstreamKey]);
    const mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const config = await work.writeConfig(`
server:
  proxy: { port: 0 }
  metrics: { port: 0 }
  dashboard: { port: 0 }
dataDir: ./data
logging: { level: info }
providers:
  - id: local
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mockUrl}/v1
    credentials: [{ apiKey: "\${UPSTREAM_KEY}", id: local-main }]
    models: [gpt-4o-mini]
`);
    const created = await runCli(['keys', 'create', '--name', 'observe', '--json', '--config', config]);
    expect(created.code).toBe(0);
    ({ key, id: keyId } = JSON.parse(created.stdout) as { key: string; id: string });
    serve = startCli(['serve', '--config', config], { env: { UPSTREAM_KEY: upstreamKey } });
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    metricsUrl = (await serve.waitFor(/metrics listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    dashboardUrl = (await serve.waitFor(/dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  });

  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  it('binds three different free ports', () => {
    const ports = new Set([proxyUrl, metricsUrl, dashboardUrl].map((u) => new URL(u).port));
    expect(ports.size).toBe(3);
  });

  it('the request counter moves after a proxied request, seen over HTTP', async () => {
    const before = sample(await scrape(), chatSeries);
    const res = await chat({});
    expect(res.status).toBe(200);
    await res.json();
    const after = await scrape();
    expect(sample(after, chatSeries)).toBe(before + 1);
    expect(sample(after, 'rampart_upstream_request_duration_seconds_count{provider="local"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'rampart_tokens_total{provider="local",kind="input"}')).toBeGreaterThan(0);
  });

  it('counts a streamed answer and leaves no stream in flight once it ended', async () => {
    const before = sample(await scrape(), chatSeries);
    const res = await chat({ stream: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('[DONE]');
    const text = await scrape();
    expect(sample(text, chatSeries)).toBe(before + 1);
    expect(sample(text, 'rampart_streams_in_flight{provider="local"}')).toBe(0);
  });

  it('/readyz is 200 without a key; /healthz too', async () => {
    const ready = await fetch(`${proxyUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', failed: [] });
    expect((await fetch(`${proxyUrl}/healthz`)).status).toBe(200);
  });

  it('/api/health on the dashboard listener, with the CSP; unknown paths are 404 JSON with it too', async () => {
    const res = await fetch(`${dashboardUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      db: { writable: true },
      vault: { state: 'unlocked' },
      providers: [{ id: 'local', credentials: 1, usable: 1, cooling: 0 }],
      maintenance: { enabled: false },
    });
    for (const answer of [res, await fetch(`${dashboardUrl}/nope`)]) {
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('server')).toBeNull();
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('after a broad run, neither the metrics page nor the logs show a key, key id, prefix, IP or upstream secret', async () => {
    await fetch(`${proxyUrl}/v1/chat/completions?key=${key}`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    await fetch(`${proxyUrl}/v1/models`, { headers: { authorization: 'Bearer rk_live_wrong-key-for-metrics' } });
    await fetch(`${proxyUrl}/no/such/route`, { headers: { authorization: `Bearer ${key}` } });
    await (await chat({ model: 'not-configured' })).text();
    // The refused key reached the audit log, and the metrics through it once the record was written (group commit).
    let text = await scrape();
    for (let i = 0; i < 40 && sample(text, 'rampart_auth_failures_total{reason="invalid"}') < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await scrape();
    }
    expect(sample(text, 'rampart_auth_failures_total{reason="invalid"}')).toBeGreaterThanOrEqual(1);
    for (const forbidden of [key, keyId, key.slice(0, 12), 'rk_live_', upstreamKey, '127.0.0.1', '/no/such/route']) {
      expect(text, forbidden).not.toContain(forbidden);
    }
    expect(text).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    const logs = serve.stdout() + serve.stderr();
    for (const secret of [key, upstreamKey]) expect(logs).not.toContain(secret);
    expect(logs).toMatch(/"msg":"access".*"path":"\/v1\/chat\/completions"/);
  });

  it('closes the side listeners on stop', async () => {
    expect(await serve.stop()).toBe(0);
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    await expect(fetch(`${dashboardUrl}/api/health`)).rejects.toThrow();
  });
});
