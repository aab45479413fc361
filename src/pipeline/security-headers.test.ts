import Fastify, { type FastifyInstance } from 'fastify';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { clientIpStep, decorateClientIp } from './client-ip.ts';
import { errorHandler } from './error-handler.ts';
import { type SecurityHeadersOptions, hstsOption, securityHeadersStep } from './security-headers.ts';
import { sendError } from './send-error.ts';

const BASELINE = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A small app shaped like the proxy listener: a normal route, a sendError route, a throwing route, a stream, 404. */
function build(options: SecurityHeadersOptions, trustedProxies: string[] | null = [], https?: { key: Buffer; cert: Buffer }): FastifyInstance {
  // Hooks and routes are typed per server kind; the https instance is used only through the shared surface.
  const instance = https === undefined ? Fastify() : (Fastify({ https }) as unknown as FastifyInstance);
  // null: a listener without the client-IP step (HSTS must still see TLS on the socket).
  if (trustedProxies !== null) {
    decorateClientIp(instance);
    instance.addHook('onRequest', clientIpStep({ trustedProxies }));
  }
  instance.addHook('onRequest', securityHeadersStep(options));
  instance.get('/ok', () => ({ ok: true }));
  instance.get('/refused', { config: { wireFormat: 'openai' } }, (request, reply) => sendError(request, reply, new RampartError('RAMPART_RATE_LIMITED')));
  instance.get('/throws', () => {
    throw new Error('boom');
  });
  // Like proxy/relay-stream.ts: hijack, then copy reply.getHeaders() into writeHead.
  instance.get('/stream', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string>), 'content-type': 'text/event-stream' });
    reply.raw.end('data: {}\n\n');
  });
  instance.setErrorHandler(errorHandler);
  instance.setNotFoundHandler((request, reply) => sendError(request, reply, new RampartError('RAMPART_ROUTE_NOT_FOUND')));
  app = instance;
  return instance;
}

async function listen(instance: FastifyInstance): Promise<number> {
  await instance.listen({ host: '127.0.0.1', port: 0 });
  return (instance.server.address() as AddressInfo).port;
}

describe('securityHeadersStep', () => {
  it('sets the baseline headers on normal, sendError, thrown-error and 404 responses', async () => {
    const instance = build({ hsts: false });
    for (const [url, status] of [['/ok', 200], ['/refused', 429], ['/throws', 500], ['/nowhere', 404]] as const) {
      const response = await instance.inject({ url });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers, url).toMatchObject(BASELINE);
      expect(response.headers['strict-transport-security'], url).toBeUndefined();
      expect(response.headers['content-security-policy'], url).toBeUndefined();
    }
  });

  it('reaches a hijacked stream and sends no Server or X-Powered-By over a real socket', async () => {
    const port = await listen(build({ hsts: true }));
    for (const path of ['/ok', '/stream', '/nowhere']) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      await response.text();
      const headers = Object.fromEntries(response.headers);
      expect(headers, path).toMatchObject({ ...BASELINE, 'strict-transport-security': 'max-age=31536000; includeSubDomains' });
      expect(response.headers.has('server'), path).toBe(false);
      expect(response.headers.has('x-powered-by'), path).toBe(false);
    }
  });

  it('adds the CSP only where configured', async () => {
    const instance = build({ hsts: false, csp: "default-src 'self'" });
    expect((await instance.inject({ url: '/nowhere' })).headers['content-security-policy']).toBe("default-src 'self'");
  });

  it("in 'auto', sends HSTS for X-Forwarded-Proto: https only from a trusted proxy", async () => {
    const instance = build({ hsts: 'auto' }, ['10.0.0.0/8']);
    const trusted = await instance.inject({ url: '/ok', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-proto': 'https' } });
    expect(trusted.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const spoofed = await instance.inject({ url: '/ok', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();
    expect((await instance.inject({ url: '/ok', remoteAddress: '10.0.0.2' })).headers['strict-transport-security']).toBeUndefined();
  });

  it("in 'auto', sends HSTS over a real TLS socket, and never when off", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-hsts-'));
    try {
      const keyPath = join(dir, 'key.pem');
      const certPath = join(dir, 'cert.pem');
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
      ], { stdio: 'ignore' });
      const tls = { key: readFileSync(keyPath), cert: readFileSync(certPath) };
      const cases = [
        ['auto', [], 'max-age=31536000; includeSubDomains'],
        ['auto', null, 'max-age=31536000; includeSubDomains'],
        [false, [], undefined],
      ] as const;
      for (const [hsts, trusted, expected] of cases) {
        const port = await listen(build({ hsts }, trusted === null ? null : [...trusted], tls));
        const headers = await httpsHeaders(port, tls.cert);
        const label = `${String(hsts)} ${trusted === null ? 'without' : 'with'} clientIpStep`;
        expect(headers, label).toMatchObject(BASELINE);
        expect(headers['strict-transport-security'], label).toBe(expected);
        await app?.close();
        app = undefined;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a CSP that cannot be a header value at boot', () => {
    expect(() => securityHeadersStep({ hsts: false, csp: "default-src 'self'\r\nset-cookie: a=b" })).toThrow(/csp/);
    expect(() => securityHeadersStep({ hsts: false, csp: ' ' })).toThrow(/csp/);
  });

  it('maps the config values onto the option', () => {
    expect([hstsOption('auto'), hstsOption('always'), hstsOption('off')]).toEqual(['auto', true, false]);
  });
});

function httpsHeaders(port: number, ca: Buffer): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/ok', ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}
