import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, describe, expect, it } from 'vitest';
import '../pipeline/fastify-types.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';
import { keyRate, type RateLimitStepOptions, rateLimitStep } from './rate-limit-step.ts';
import type { LimiterBackend } from './rate-limiter.ts';

// Test keys carry only what the step reads; the full record belongs to the key store.
type TestKey = { id: string; rps?: number | null; burst?: number | null };
const asRecord = (key: TestKey): ClientKeyRecord => key as unknown as ClientKeyRecord;

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A proxy-like app: a stand-in for client-auth (key from `x-test-key`), then the step, then routes. */
async function buildApp(options: RateLimitStepOptions, keys: TestKey[] = []): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  apps.push(app);
  app.decorateRequest('clientKey', null);
  app.decorateRequest('clientIp', '');
  app.addHook('onRequest', (request, _reply, done) => {
    const id = request.headers['x-test-key'];
    const key = keys.find((k) => k.id === id);
    request.clientKey = key === undefined ? null : asRecord(key);
    const clientIp = request.headers['x-test-client-ip'];
    if (typeof clientIp === 'string') Reflect.set(request, 'clientIp', clientIp);
    done();
  });
  app.addHook('onRequest', rateLimitStep(options));
  app.get('/v1/models', { config: { wireFormat: 'openai' } }, () => ({ object: 'list', data: [] }));
  app.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, () => ({ type: 'message' }));
  app.post('/v1beta/models/m:generateContent', { config: { wireFormat: 'gemini' } }, () => ({ candidates: [] }));
  app.get('/healthz', { config: { public: true } }, () => ({ status: 'ok' }));
  await app.ready();
  return app;
}

type Shot = { url?: string; method?: 'GET' | 'POST'; ip?: string; key?: string; clientIp?: string };
function fire(app: FastifyInstance, count: number, shot: Shot = {}): Promise<LightMyRequestResponse[]> {
  const headers: Record<string, string> = {};
  if (shot.key !== undefined) headers['x-test-key'] = shot.key;
  if (shot.clientIp !== undefined) headers['x-test-client-ip'] = shot.clientIp;
  const request = { method: shot.method ?? 'GET', url: shot.url ?? '/v1/models', remoteAddress: shot.ip ?? '203.0.113.7', headers };
  return Promise.all(Array.from({ length: count }, () => app.inject(request)));
}
const statuses = (responses: LightMyRequestResponse[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
};

/** A backend that keeps each limiter, so a test can read the counters behind the step. */
function spyBackend(): { backend: LimiterBackend; consumed: (prefix: string, key: string) => Promise<number> } {
  const stores = new Map<string, RateLimiterMemory>();
  return {
    backend: (options) => {
      const store = new RateLimiterMemory(options);
      stores.set(options.keyPrefix, store);
      return store;
    },
    consumed: async (prefix, key) => (await stores.get(prefix)?.get(key))?.consumedPoints ?? 0,
  };
}

describe('rateLimitStep over HTTP', () => {
  it('lets exactly 100 of 300 concurrent requests through a limit of 100, with OpenAI headers (20 rounds)', async () => {
    for (let round = 0; round < 20; round++) {
      const app = await buildApp({ perIp: { rps: 1, burst: 100 } });
      const responses = await fire(app, 300);
      expect(statuses(responses)).toEqual({ 200: 100, 429: 200 });
      const remaining: number[] = [];
      for (const r of responses) {
        expect(r.headers['x-ratelimit-limit-requests']).toBe('100');
        expect(r.headers['x-ratelimit-reset-requests']).toMatch(/^\d+(\.\d+)?s$|^\d+m[\d.]+s$|^\d+ms$/);
        if (r.statusCode === 200) {
          remaining.push(Number(r.headers['x-ratelimit-remaining-requests']));
          expect(r.headers['retry-after']).toBeUndefined();
        } else {
          expect(r.headers['x-ratelimit-remaining-requests']).toBe('0');
          expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
          expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(100);
          expect(r.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'RAMPART_RATE_LIMITED' } });
        }
      }
      expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      await app.close();
    }
  });

  it("answers 429 in the caller's wire format", async () => {
    const app = await buildApp({ perIp: { rps: 1, burst: 1 } });
    await fire(app, 1);
    const [anthropic] = await fire(app, 1, { method: 'POST', url: '/v1/messages' });
    expect(anthropic?.statusCode).toBe(429);
    expect(anthropic?.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', code: 'RAMPART_RATE_LIMITED' } });
    const [gemini] = await fire(app, 1, { method: 'POST', url: '/v1beta/models/m:generateContent' });
    expect(gemini?.statusCode).toBe(429);
    expect(gemini?.json()).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
  });

  it('limits each key by its own rps/burst, else by the perKey default, else not at all', async () => {
    const keys = [{ id: 'own', rps: 1, burst: 5 }, { id: 'default', rps: null, burst: null }];
    const app = await buildApp({ perIp: { enabled: false }, perKey: { rps: 1, burst: 3 } }, keys);
    expect(statuses(await fire(app, 20, { key: 'own' }))).toEqual({ 200: 5, 429: 15 });
    expect(statuses(await fire(app, 20, { key: 'default' }))).toEqual({ 200: 3, 429: 17 });
    const unlimited = await buildApp({ perIp: { enabled: false } }, keys.slice(1));
    const responses = await fire(unlimited, 50, { key: 'default' });
    expect(statuses(responses)).toEqual({ 200: 50 });
    expect(responses[0]?.headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('shares the global limit between all clients', async () => {
    const app = await buildApp({ perIp: { rps: 1, burst: 100 }, global: { rps: 1, burst: 10 } });
    const [a, b] = await Promise.all([fire(app, 8, { ip: '198.51.100.1' }), fire(app, 8, { ip: '198.51.100.2' })]);
    expect(statuses([...a, ...b])).toEqual({ 200: 10, 429: 6 });
  });

  it('stops a flooding key at its own tier, before it spends the budget other clients share', async () => {
    const keys = [{ id: 'flood', rps: 1, burst: 3 }, { id: 'quiet', rps: 1, burst: 10 }];
    const app = await buildApp({ perIp: { enabled: false }, global: { rps: 1, burst: 10 } }, keys);
    expect(statuses(await fire(app, 50, { key: 'flood' }))).toEqual({ 200: 3, 429: 47 });
    expect(statuses(await fire(app, 7, { key: 'quiet' }))).toEqual({ 200: 7 });
  });

  it('gives back the points of earlier tiers when a later tier refuses', async () => {
    const spy = spyBackend();
    const keys = [{ id: 'a', rps: 1, burst: 5 }];
    const app = await buildApp({ perIp: { rps: 1, burst: 100 }, global: { rps: 1, burst: 1 }, backend: spy.backend }, keys);
    expect(statuses(await fire(app, 4, { key: 'a' }))).toEqual({ 200: 1, 429: 3 });
    expect(await spy.consumed('key:1/5', 'a')).toBe(1);
    expect(await spy.consumed('ip', '203.0.113.7')).toBe(1);
  });

  it('keeps health checks out of the global limit but under the per-address one', async () => {
    const app = await buildApp({ perIp: { rps: 1, burst: 5 }, global: { rps: 1, burst: 1 } });
    await fire(app, 1, { ip: '198.51.100.9' });
    expect(statuses(await fire(app, 8, { url: '/healthz' }))).toEqual({ 200: 5, 429: 3 });
  });

  it('counts by the client IP the client-ip step found, and one IPv6 /64 as one client', async () => {
    const app = await buildApp({ perIp: { rps: 1, burst: 2 } });
    const viaProxy = await Promise.all([
      fire(app, 3, { ip: '10.0.0.1', clientIp: '192.0.2.1' }),
      fire(app, 3, { ip: '10.0.0.1', clientIp: '192.0.2.2' }),
    ]);
    expect(viaProxy.map(statuses)).toEqual([{ 200: 2, 429: 1 }, { 200: 2, 429: 1 }]);
    const sameSlash64 = [...(await fire(app, 1, { clientIp: '2001:db8:0:1::1' })), ...(await fire(app, 2, { clientIp: '2001:db8:0:1:ffff::2' }))];
    expect(statuses(sameSlash64)).toEqual({ 200: 2, 429: 1 });
  });

  it("reports the tightest of the caller's own tiers, never the global count", async () => {
    const keys = [{ id: 'k', rps: 1, burst: 50 }];
    const app = await buildApp({ perIp: { rps: 1, burst: 5 }, global: { rps: 1, burst: 1000 } }, keys);
    const [first] = await fire(app, 1, { key: 'k' });
    expect(first?.headers['x-ratelimit-limit-requests']).toBe('5');
    expect(first?.headers['x-ratelimit-remaining-requests']).toBe('4');
    expect(first?.headers['x-ratelimit-reset-requests']).toBe('5s');
    // The global tier has less left (1 of 3) but describes everyone's traffic, not this caller's.
    const busy = await buildApp({ perIp: { rps: 50, burst: 100 }, global: { rps: 1, burst: 3 } });
    const [own] = await fire(busy, 1);
    expect(own?.headers['x-ratelimit-limit-requests']).toBe('100');
    expect(own?.headers['x-ratelimit-remaining-requests']).toBe('99');
    expect(own?.headers['x-ratelimit-reset-requests']).toBe('2s');
    const [alone] = await fire(await buildApp({ perIp: { enabled: false }, global: { rps: 1, burst: 3 } }), 1);
    expect(alone?.headers['x-ratelimit-limit-requests']).toBe('3');
  });

  it('refuses bad options at boot, not per request', () => {
    expect(() => rateLimitStep({ perIp: { rps: 10, burst: 5 } })).toThrow(/burst/);
    expect(() => rateLimitStep({ global: { rps: 0, burst: 5 } })).toThrow(/rps/);
    expect(() => rateLimitStep({ perKey: { rps: 1, burst: 1, extra: 1 } as never })).toThrow();
  });
});

describe('keyRate', () => {
  const fallback = { rps: 2, burst: 4 };
  it("prefers the key's own values and fills the rest from the default", () => {
    expect(keyRate({ rps: 5, burst: 10 }, fallback)).toEqual({ rps: 5, burst: 10 });
    expect(keyRate({ rps: null, burst: null }, fallback)).toEqual(fallback);
    expect(keyRate({ rps: 3, burst: null }, fallback)).toEqual({ rps: 3, burst: 4 });
    expect(keyRate({ rps: 3 }, undefined)).toEqual({ rps: 3, burst: 3 });
    expect(keyRate({ rps: 10, burst: 2 }, undefined)).toEqual({ rps: 10, burst: 10 });
    expect(keyRate({}, undefined)).toBeUndefined();
  });
  it('ignores values that are not positive integers instead of lifting the limit', () => {
    expect(keyRate({ rps: 0, burst: -1 }, fallback)).toEqual(fallback);
    expect(keyRate({ rps: 1.5, burst: '9' }, fallback)).toEqual(fallback);
  });
});
