import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from './app.ts';
import { parseConfig } from './config/load.ts';
import { type MockUpstream, startMockUpstream } from './devtools/mock-upstream/index.ts';
import { ClientKeyService } from './keys/client-keys.ts';
import { createLogger } from './logging/logger.ts';
import { MonthlyQuota } from './limits/monthly-quota.ts';
import { CooldownTracker } from './routing/cooldowns.ts';
import { MemoryCooldownStore } from './storage/memory/memory-cooldown-store.ts';
import type { Storage } from './storage/ports.ts';
import { openSqliteStorage } from './storage/sql/sqlite.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The pipeline and proxy in-process: real Fastify, real undici, SQLite storage, the real mock upstream on a free port. */
describe('proxy app (in-process)', () => {
  let mock: MockUpstream;
  let app: App;
  let base: string;
  let key: string;
  let logs = '';
  let cooldowns: CooldownTracker;
  let dataDir: string;
  let storage: Storage;
  const upstreamKey = 'sk-inproc-upstream-secret';

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, apiKey: upstreamKey });
    const { config } = parseConfig(
      `limits: { maxBodyBytes: 2048 }
providers:
  - id: good
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mock.url}/v1
    credentials: [{ apiKey: "${upstreamKey}" }]
    models: [gpt-4o-mini]
    timeouts: { headersMs: 300, idleMs: 300 }
  - id: wrongkey
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mock.url}/v1
    credentials: [{ apiKey: sk-wrong }]
    models: [wrong-key-model]
  - id: down
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: http://127.0.0.1:1/v1
    credentials: [{ apiKey: sk-x }]
    models: [down-model]
`,
      { env: {} },
    );
    dataDir = await mkdtemp(path.join(tmpdir(), 'rampart-app-'));
    storage = await openSqliteStorage(dataDir);
    const keys = new ClientKeyService(storage.clientKeys, Buffer.alloc(32, 1));
    key = (await keys.create('test')).key;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    cooldowns = new CooldownTracker(new MemoryCooldownStore(), config.routing.cooldowns);
    app = buildApp({ config, keys, cooldowns, quota: new MonthlyQuota({ store: storage.tokenUsage }), log: createLogger('info', sink) });
    await app.proxy.listen({ host: '127.0.0.1', port: 0 });
    const address = app.proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${address.port}`;
  });

  // These tests are about how each failure is answered; cooldowns have their own tests, so none carries over.
  afterEach(async () => {
    await cooldowns.reset();
  });

  afterAll(async () => {
    await app.close();
    await mock.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const chat = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; request_id: string; message: string } }).error;
  const hi = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  it('serves /healthz without a key', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('sends a request id on every answer, the same one the error body carries, and no Server header', async () => {
    const res = await chat(hi, { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^req_/);
    expect((await errorOf(res)).request_id).toBe(id);
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('sends the security headers on JSON, error and streamed answers alike', async () => {
    const answers = [await chat(hi), await chat(hi, { authorization: 'Bearer nope' }), await chat({ ...hi, stream: true })];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      await res.text();
    }
    expect(answers[2]?.headers.get('content-type')).toMatch(/^text\/event-stream/);
  });

  it('answers 503 in maintenance, while /healthz says so', async () => {
    app.maintenance.set(true, 'back at noon');
    try {
      const res = await chat(hi);
      expect(res.status).toBe(503);
      expect(await errorOf(res)).toMatchObject({ code: 'RAMPART_MAINTENANCE', message: 'back at noon' });
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'maintenance', message: 'back at noon' });
    } finally {
      app.maintenance.set(false);
    }
    expect((await chat(hi)).status).toBe(200);
  });

  it('refuses a key in the query string (security.allowQueryKey is off by default)', async () => {
    const res = await fetch(`${base}/v1/models?key=${key}`);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('RAMPART_AUTH_QUERY_KEY_REFUSED');
    const withHeader = await fetch(`${base}/v1/models?key=${key}`, { headers: { authorization: `Bearer ${key}` } });
    expect(withHeader.status).toBe(401);
  });

  it('treats a non-bearer Authorization header as a wrong key', async () => {
    const res = await chat(hi, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('RAMPART_AUTH_INVALID_KEY');
  });

  it('fails closed on unknown routes: 401 without a key, 404 with one', async () => {
    expect((await fetch(`${base}/v1/secret-admin`)).status).toBe(401);
    const res = await fetch(`${base}/v1/secret-admin`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('RAMPART_ROUTE_NOT_FOUND');
  });

  it('refuses non-JSON bodies with 415 and empty bodies with 400', async () => {
    const res = await chat('model=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('RAMPART_UNSUPPORTED_MEDIA_TYPE');
    const empty = await chat('');
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).code).toBe('RAMPART_REQUEST_INVALID_JSON');
  });

  it('refuses constructor.prototype poisoning too', async () => {
    const res = await chat('{"model":"gpt-4o-mini","messages":[],"constructor":{"prototype":{"x":1}}}');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('RAMPART_REQUEST_PROTO_POISONING');
  });

  it('answers 413 for a body over the cap, even without content-length', async () => {
    const big = JSON.stringify({ ...hi, messages: [{ role: 'user', content: 'y'.repeat(4000) }] });
    expect((await chat(big)).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: stream,
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
  });

  it('maps an upstream that refuses the gateway credential to 502, not the client’s 401', async () => {
    const res = await chat({ ...hi, model: 'wrong-key-model' });
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe('RAMPART_UPSTREAM_AUTH');
    expect(JSON.stringify(error)).not.toContain('sk-wrong');
  });

  it('maps an unreachable upstream to 503', async () => {
    const res = await chat({ ...hi, model: 'down-model' });
    expect(res.status).toBe(503);
    expect((await errorOf(res)).code).toBe('RAMPART_UPSTREAM_UNAVAILABLE');
  });

  it('maps an upstream slower than headersMs to 504', async () => {
    const res = await chat({ ...hi, messages: [{ role: 'user', content: 'slow [mock:latency=1500]' }] });
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe('RAMPART_UPSTREAM_TIMEOUT');
  });

  it('ends a stream that goes silent longer than idleMs with a timeout error event', async () => {
    const res = await chat({ ...hi, stream: true, messages: [{ role: 'user', content: 'one two three four [mock:drip=800]' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const text = await res.text();
    expect(text).toContain('"code":"RAMPART_UPSTREAM_TIMEOUT"');
    expect(text).not.toContain('[DONE]');
  });

  it('passes the translated request upstream: provider key, include_usage forced, client key absent', async () => {
    await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
    const res = await chat({ ...hi, stream: true, user: 'u-1' }, { cookie: 'session=abc', 'x-forwarded-for': '10.0.0.1' });
    expect(res.status).toBe(200);
    await res.text();
    const [seen] = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as { headers: Record<string, string>; body: Record<string, unknown> }[];
    expect(seen?.headers.authorization).toBe(`Bearer ${upstreamKey}`);
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-forwarded-for']).toBeUndefined();
    expect(seen?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, user: 'u-1' });
  });

  it('logs one access line per request with path only, and never a key', async () => {
    await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    // refused (key in the URL), and the URL's query must not reach the log either
    await fetch(`${base}/v1/models?key=${key}`, { headers: { authorization: `Bearer ${key}` } });
    await new Promise((r) => setTimeout(r, 50));
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.filter((l) => l.msg === 'access');
    expect(access.length).toBeGreaterThan(5);
    expect(access.at(-2)).toMatchObject({ method: 'GET', path: '/v1/models', status: 200 });
    expect(access.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models', status: 401 });
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(upstreamKey);
  });
});
