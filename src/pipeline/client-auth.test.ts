import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientKeyService, type CreateKeyInput } from '../keys/client-keys.ts';
import type { ClientKeyPatch, ClientKeyRecord, ClientKeyStore, NewClientKeyRecord } from '../storage/ports.ts';
import { clientAuthStep } from './client-auth.ts';
import './fastify-types.ts';

class MemoryStore implements ClientKeyStore {
  readonly rows = new Map<string, ClientKeyRecord>();
  insert(r: NewClientKeyRecord) {
    this.rows.set(r.id, r as ClientKeyRecord);
    return Promise.resolve();
  }
  list() {
    return Promise.resolve([...this.rows.values()]);
  }
  findById(id: string) {
    return Promise.resolve(this.rows.get(id));
  }
  findByHash(hash: string) {
    return Promise.resolve([...this.rows.values()].find((r) => r.hash === hash));
  }
  revoke(id: string, at: Date) {
    const r = this.rows.get(id);
    if (r) this.rows.set(id, { ...r, revokedAt: at });
    return Promise.resolve(r !== undefined);
  }
  update(id: string, patch: ClientKeyPatch) {
    const r = this.rows.get(id);
    if (!r) return Promise.resolve(undefined);
    this.rows.set(id, { ...r, ...patch });
    return Promise.resolve(this.rows.get(id));
  }
  count() {
    return Promise.resolve(this.rows.size);
  }
}

describe('clientAuthStep', () => {
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
  });

  /** A proxy-like instance: the auth step, an OpenAI route and a Gemini route that echo the key id. */
  async function setup(input: CreateKeyInput, clientIp?: string, allowQueryKey = false) {
    const store = new MemoryStore();
    const service = new ClientKeyService(store, Buffer.alloc(32, 3));
    const created = await service.create(input);
    app = Fastify();
    app.decorateRequest('clientKey', null);
    if (clientIp !== undefined) {
      app.decorateRequest('clientIp', '');
      app.addHook('onRequest', (request, _reply, done) => {
        (request as unknown as { clientIp: string }).clientIp = clientIp;
        done();
      });
    }
    app.addHook('onRequest', clientAuthStep({ keys: service, allowQueryKey }));
    app.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, (request) => ({ key: request.clientKey?.id }));
    app.post('/v1/embeddings', { config: { wireFormat: 'openai' } }, (request) => ({ key: request.clientKey?.id }));
    app.post('/v1beta/models/*', { config: { wireFormat: 'gemini' } }, (request) => ({ key: request.clientKey?.id }));
    const call = (url = '/v1/chat/completions') => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${created.key}` }, payload: {} });
    return { service, created, call };
  }

  const codeOf = (body: string) => (JSON.parse(body) as { error: { code?: string; status?: string; message: string } }).error;

  it('takes ?key= only when allowQueryKey is on, and refuses it clearly otherwise', async () => {
    const off = await setup({ name: 'q' });
    const refused = await app.inject({ method: 'POST', url: `/v1beta/models/m:generateContent?key=${off.created.key}`, payload: {} });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { details: [{ reason: 'RAMPART_AUTH_QUERY_KEY_REFUSED' }] } });
    await app.close();
    const on = await setup({ name: 'q' }, undefined, true);
    const accepted = await app.inject({ method: 'POST', url: `/v1beta/models/m:generateContent?key=${on.created.key}`, payload: {} });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ key: on.created.record.id });
  });

  it('lets an unrestricted key through and sets request.clientKey', async () => {
    const { created, call } = await setup({ name: 'open' });
    const res = await call();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ key: created.record.id });
  });

  it('answers expired and disabled keys with their own 401 codes', async () => {
    const { service, created, call } = await setup({ name: 'k' });
    await service.update(created.record.id, { disabled: true });
    let res = await call();
    expect(res.statusCode).toBe(401);
    expect(codeOf(res.body).code).toBe('RAMPART_AUTH_KEY_DISABLED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="rampart"');
    await service.update(created.record.id, { disabled: false, expiresAt: new Date(Date.now() + 50) });
    await new Promise((r) => setTimeout(r, 60));
    res = await call();
    expect(res.statusCode).toBe(401);
    expect(codeOf(res.body).code).toBe('RAMPART_AUTH_KEY_EXPIRED');
  });

  it('refuses a route outside the key scope with 403, in the route wire format, path only', async () => {
    const { call } = await setup({ name: 'chat-only', routes: ['/v1/chat/*', '/v1beta/models/gemini-*'] });
    expect((await call()).statusCode).toBe(200);
    const res = await call('/v1/embeddings?note=secret-in-query');
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(codeOf(res.body)).toMatchObject({ code: 'RAMPART_KEY_SCOPE_ROUTE', message: 'This API key may not call "/v1/embeddings".' });
    expect((await call('/v1beta/models/gemini-2.5-flash:generateContent')).statusCode).toBe(200);
    const gemini = await call('/v1beta/models/other:generateContent');
    expect(gemini.statusCode).toBe(403);
    // Gemini's error shape carries the status name, not our code, in `status`.
    expect(codeOf(gemini.body).status).toBe('PERMISSION_DENIED');
  });

  it('checks IP scope against request.clientIp, v4-mapped included, and refuses an unknown address', async () => {
    expect((await (await setup({ name: 'lan', ips: ['10.0.0.0/8'] }, '10.1.2.3')).call()).statusCode).toBe(200);
    await app.close();
    expect((await (await setup({ name: 'lan', ips: ['10.0.0.0/8'] }, '::ffff:10.1.2.3')).call()).statusCode).toBe(200);
    await app.close();
    const outside = await (await setup({ name: 'lan', ips: ['10.0.0.0/8'] }, '192.0.2.1')).call();
    expect(outside.statusCode).toBe(403);
    expect(codeOf(outside.body).code).toBe('RAMPART_KEY_SCOPE_IP');
    expect(outside.body).not.toContain('192.0.2.1');
    await app.close();
    expect((await (await setup({ name: 'lan', ips: ['10.0.0.0/8'] }, '')).call()).statusCode).toBe(403);
  });

  it("falls back to Fastify's request.ip when no client-ip step is installed", async () => {
    // inject() connects from 127.0.0.1.
    expect((await (await setup({ name: 'local', ips: ['127.0.0.0/8'] })).call()).statusCode).toBe(200);
    await app.close();
    expect((await (await setup({ name: 'remote', ips: ['10.0.0.0/8'] })).call()).statusCode).toBe(403);
  });
});
