import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { corsStep } from './cors.ts';
import { sendError } from './send-error.ts';

const APP = 'https://app.example.com';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** CORS, then a stand-in for client auth that refuses anything without a key, as in the proxy pipeline. */
function build(allowedOrigins: string[]): FastifyInstance {
  const instance = Fastify();
  instance.addHook('onRequest', corsStep({ allowedOrigins }));
  instance.addHook('onRequest', (request, reply, done) => {
    if (request.headers.authorization === undefined) {
      sendError(request, reply, new RampartError('RAMPART_AUTH_MISSING_KEY'));
      return;
    }
    done();
  });
  instance.post('/v1/chat/completions', { config: { wireFormat: 'openai' } }, () => ({ ok: true }));
  instance.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, () => ({ ok: true }));
  app = instance;
  return instance;
}

const corsHeaderNames = (headers: Record<string, unknown>) => Object.keys(headers).filter((name) => name.startsWith('access-control-'));

const preflight = (origin: string, url = '/v1/chat/completions') => ({
  method: 'OPTIONS' as const,
  url,
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
});

describe('corsStep', () => {
  it('is off by default: no Access-Control-* header and no preflight answer, whatever the origin', async () => {
    const instance = build([]);
    const actual = await instance.inject({ method: 'POST', url: '/v1/chat/completions', headers: { origin: APP, authorization: 'Bearer k' }, payload: {} });
    expect(actual.statusCode).toBe(200);
    expect(corsHeaderNames(actual.headers)).toEqual([]);
    expect(actual.headers.vary).toBeUndefined();
    const pre = await instance.inject(preflight(APP));
    expect(pre.statusCode).not.toBe(204);
    expect(corsHeaderNames(pre.headers)).toEqual([]);
  });

  it('echoes an allowed origin exactly, never *, with Vary: Origin and no credentials header', async () => {
    const instance = build(['https://other.example.com', APP]);
    const response = await instance.inject({ method: 'POST', url: '/v1/chat/completions', headers: { origin: APP, authorization: 'Bearer k' }, payload: {} });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
    expect(response.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toBe('Origin');
  });

  it('lets the browser read a refusal from a later step for an allowed origin', async () => {
    const response = await build([APP]).inject({ method: 'POST', url: '/v1/chat/completions', headers: { origin: APP }, payload: {} });
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe(APP);
  });

  it('gives a disallowed origin no Access-Control-Allow-Origin, only Vary; a near miss is a miss', async () => {
    const instance = build([APP]);
    for (const origin of ['https://evil.example.com', 'http://app.example.com', 'https://app.example.com:8443', 'https://APP.example.com', 'null']) {
      const response = await instance.inject({ method: 'POST', url: '/v1/chat/completions', headers: { origin, authorization: 'Bearer k' }, payload: {} });
      expect(response.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(response.headers.vary, origin).toBe('Origin');
    }
    // Without an Origin (server-to-server), the answer still varies on it for caches.
    const plain = await instance.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer k' }, payload: {} });
    expect(plain.headers.vary).toBe('Origin');
    expect(corsHeaderNames(plain.headers)).toEqual([]);
  });

  it('answers an allowed preflight with 204 before client auth, on known and unknown paths', async () => {
    const instance = build([APP]);
    for (const url of ['/v1/chat/completions', '/v1/not-a-route']) {
      const response = await instance.inject(preflight(APP, url));
      expect(response.statusCode, url).toBe(204);
      expect(response.body, url).toBe('');
      expect(response.headers, url).toMatchObject({ 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, POST', vary: 'Origin' });
      const allowedHeaders = String(response.headers['access-control-allow-headers']).split(', ');
      expect(allowedHeaders, url).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-api-key', 'x-goog-api-key', 'anthropic-version', 'anthropic-beta']),
      );
      expect(response.headers['access-control-max-age'], url).toBe('600');
    }
  });

  it('refuses a preflight from a disallowed origin with RAMPART_CORS_ORIGIN_DENIED and no CORS grant', async () => {
    // OPTIONS matches no route, so the error takes the shape wireFormatOf guesses (OpenAI's); browsers never show
    // a preflight body to scripts anyway.
    const response = await build([APP]).inject(preflight('https://evil.example.com'));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'RAMPART_CORS_ORIGIN_DENIED', type: 'permission_error' } });
    expect(corsHeaderNames(response.headers)).toEqual([]);
  });

  it('treats OPTIONS without Access-Control-Request-Method as an ordinary request', async () => {
    const response = await build([APP]).inject({ method: 'OPTIONS', url: '/v1/chat/completions', headers: { origin: APP } });
    expect(response.statusCode).toBe(401);
  });

  it('works for a real browser-style preflight over a socket', async () => {
    const instance = build([APP]);
    await instance.listen({ host: '127.0.0.1', port: 0 });
    const { port } = instance.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key, anthropic-version' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it("refuses '*' and anything that is not an exact origin at boot, naming the index only", () => {
    expect(() => corsStep({ allowedOrigins: [APP, '*'] })).toThrow(/^security\.cors\.allowedOrigins\[1\] '\*' is refused/);
    for (const bad of ['https://app.example.com/', 'https://app.example.com/path', 'https://App.example.com', 'https://app.example.com:443', 'ftp://x.example.com', 'app.example.com']) {
      expect(() => corsStep({ allowedOrigins: [APP, bad] }), bad).toThrow(/^security\.cors\.allowedOrigins\[1\] /);
      expect(() => corsStep({ allowedOrigins: ['https://neighbour.example.org', bad] }), bad).toThrow(
        expect.objectContaining({ message: expect.not.stringContaining('neighbour') as unknown }),
      );
    }
  });
});
