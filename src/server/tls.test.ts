import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type Server as TlsServer, connect, createServer as createTlsServer } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Server as HttpsServer, request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TlsConfig, tlsSchema } from '../config/tls-schema.ts';
import { type TestCertificate, makeCertificate } from './test-certificates.ts';
import { LEGACY_CLIENT, handshake } from './tls-client.ts';
import { type TlsLogger, TlsSetupError, loadTlsMaterial, loadTlsOptions, validityWarning } from './tls.ts';

function tlsConfig(input: Record<string, unknown>): TlsConfig {
  const parsed = tlsSchema.parse(input);
  if (parsed === undefined) throw new Error('expected a TLS config');
  return parsed;
}

/** Asks the server for a TLS 1.2 renegotiation; 'renegotiated' when it agreed, else the error. */
async function renegotiate(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const outcome = await new Promise<string>((resolve) => {
    socket.once('error', (error: Error & { code?: string }) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
    socket.renegotiate({}, (error) => resolve(error === null ? 'renegotiated' : ((error as Error & { code?: string }).code ?? 'error')));
  });
  socket.destroy();
  return outcome;
}

function recordingLog(): TlsLogger & { lines: { level: string; fields: object; message: string }[] } {
  const lines: { level: string; fields: object; message: string }[] = [];
  const push = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

let dir: string;
let rsa: TestCertificate;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rampart-tls-'));
  // `other` only provides a key that belongs to a different certificate.
  [rsa] = await Promise.all([makeCertificate(dir, 'rsa'), makeCertificate(dir, 'other', { keyType: 'ec' })]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadTlsOptions', () => {
  it('resolves relative paths against baseDir and returns hardened https options', async () => {
    const options = await loadTlsOptions(tlsConfig({ certFile: 'rsa.crt', keyFile: 'rsa.key' }), dir);
    expect(options.cert.equals(rsa.cert)).toBe(true);
    expect(options).toMatchObject({ minVersion: 'TLSv1.2', honorCipherOrder: true });
    expect(options.ciphers).toMatch(/^TLS_AES_256_GCM_SHA384:.*ECDHE-RSA-AES128-GCM-SHA256/);
    expect(options.secureOptions).toBeGreaterThan(0);
  });

  it('names the unreadable file and setting, never its contents', async () => {
    await expect(loadTlsOptions(tlsConfig({ certFile: 'missing.crt', keyFile: 'rsa.key' }), dir, { label: 'server.proxy.tls' })).rejects.toThrow(
      new TlsSetupError(`server.proxy.tls.certFile: cannot read ${path.join(dir, 'missing.crt')} (ENOENT)`),
    );
    await expect(loadTlsOptions(tlsConfig({ certFile: 'rsa.crt', keyFile: 'rsa.key', caFile: 'nope.pem' }), dir)).rejects.toThrow(/tls\.caFile: cannot read/);
  });

  it('refuses a key that does not belong to the certificate, without printing either', async () => {
    const error = await loadTlsOptions(tlsConfig({ certFile: 'rsa.crt', keyFile: 'other.key' }), dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsSetupError);
    const message = (error as Error).message;
    expect(message).toMatch(/the key in .*other\.key does not belong to the certificate in .*rsa\.crt/);
    expect(message).not.toMatch(/BEGIN|PRIVATE|MII/);
  });

  it('refuses files that are not PEM, swapped files, and keys OpenSSL considers too weak', async () => {
    await writeFile(path.join(dir, 'garbage.pem'), 'not a certificate\n');
    await expect(loadTlsOptions(tlsConfig({ certFile: 'garbage.pem', keyFile: 'rsa.key' }), dir)).rejects.toThrow(/certFile: .* is not a PEM certificate/);
    await expect(loadTlsOptions(tlsConfig({ certFile: 'rsa.crt', keyFile: 'garbage.pem' }), dir)).rejects.toThrow(/keyFile: .* is not an unencrypted PEM private key/);
    await expect(loadTlsOptions(tlsConfig({ certFile: 'rsa.key', keyFile: 'rsa.crt' }), dir)).rejects.toThrow(TlsSetupError);
    await makeCertificate(dir, 'weak', { keyType: 'rsa1024' });
    await expect(loadTlsOptions(tlsConfig({ certFile: 'weak.crt', keyFile: 'weak.key' }), dir)).rejects.toThrow(/OpenSSL refuses .*ee key too small/);
  });

  it('warns (but serves) an expired, not yet valid or soon expiring certificate', async () => {
    const log = recordingLog();
    const config = tlsConfig({ certFile: 'rsa.crt', keyFile: 'rsa.key' });
    const { certificate } = await loadTlsMaterial(config, dir, { log, now: () => Date.now() + 365 * 24 * 3600 * 1000 });
    expect(log.lines).toEqual([{ level: 'warn', fields: expect.objectContaining({ fingerprint256: rsa.fingerprint256 }) as unknown, message: expect.stringMatching(/^certificate expired on /) as unknown }]);
    const day = 24 * 3600 * 1000;
    expect(validityWarning(certificate, certificate.validFrom.getTime() - day)).toMatch(/not valid before/);
    expect(validityWarning(certificate, certificate.validTo.getTime() - 3 * day)).toMatch(/expires in 3 day/);
    expect(validityWarning(certificate, certificate.validTo.getTime() - 30 * day)).toBeUndefined();
  });
});

describe('an https listener with loadTlsOptions (real handshakes on 127.0.0.1)', () => {
  let app: FastifyInstance<HttpsServer>;
  let port: number;
  // A deliberately weak server proves that the client below can speak TLS 1.0/1.1 and AES128-SHA: without it, a
  // refusal could come from the client's own OpenSSL defaults and the checks against `app` could not fail.
  let legacy: TlsServer;
  let legacyPort: number;

  beforeAll(async () => {
    const https = await loadTlsOptions(tlsConfig({ certFile: rsa.certFile, keyFile: rsa.keyFile }), dir);
    app = Fastify({ https });
    app.get('/ping', () => ({ pong: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    legacy = createTlsServer({ key: https.key, cert: https.cert, minVersion: 'TLSv1', ciphers: 'ALL:@SECLEVEL=0', dhparam: 'auto' }, (socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
    legacyPort = (legacy.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => legacy.close(resolve));
  });

  it.each(['TLSv1', 'TLSv1.1'] as const)('refuses %s', async (version) => {
    const client = { ...LEGACY_CLIENT, minVersion: version, maxVersion: version };
    expect(await handshake(legacyPort, client)).toMatchObject({ ok: true, protocol: version });
    expect(await handshake(port, client)).toEqual({ ok: false, code: expect.stringMatching(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/) as unknown });
  });

  it.each(['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'DHE-RSA-AES128-GCM-SHA256'])(
    'refuses TLS 1.2 with %s (no forward secrecy or no AEAD)',
    async (cipher) => {
      const client = { ...LEGACY_CLIENT, ciphers: `${cipher}:@SECLEVEL=0`, maxVersion: 'TLSv1.2' as const };
      expect(await handshake(legacyPort, client)).toMatchObject({ ok: true, cipher });
      expect(await handshake(port, client)).toEqual({ ok: false, code: expect.stringMatching(/HANDSHAKE_FAILURE|NO_SHARED_CIPHER/) as unknown });
    },
  );

  it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'])('accepts TLS 1.2 with %s', async (cipher) => {
    expect(await handshake(port, { ciphers: cipher, maxVersion: 'TLSv1.2' })).toEqual({
      ok: true,
      protocol: 'TLSv1.2',
      cipher,
      fingerprint256: rsa.fingerprint256,
    });
  });

  it('prefers its own order (AES-GCM first) to the order of the client', async () => {
    const result = await handshake(port, { ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384', maxVersion: 'TLSv1.2' });
    expect(result).toMatchObject({ ok: true, cipher: 'ECDHE-RSA-AES256-GCM-SHA384' });
  });

  it('accepts TLS 1.3, verifying the chain and the host name', async () => {
    const result = await handshake(port, { ca: rsa.cert, rejectUnauthorized: true });
    expect(result).toMatchObject({ ok: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
  });

  it('serves HTTPS requests over the socket', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/ping', servername: 'localhost', ca: rsa.cert }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
      });
      req.on('error', reject).end();
    });
    expect(JSON.parse(body)).toEqual({ pong: true });
  });

  it('refuses client-initiated renegotiation (a handshake per request is a cheap CPU DoS)', async () => {
    expect(await renegotiate(legacyPort)).toBe('renegotiated');
    expect(await renegotiate(port)).not.toBe('renegotiated');
  });

  it('honours minVersion TLSv1.3', async () => {
    const strict = Fastify({ https: await loadTlsOptions(tlsConfig({ certFile: rsa.certFile, keyFile: rsa.keyFile, minVersion: 'TLSv1.3' }), dir) });
    await strict.listen({ host: '127.0.0.1', port: 0 });
    try {
      const strictPort = (strict.server.address() as AddressInfo).port;
      expect(await handshake(strictPort, { maxVersion: 'TLSv1.2' })).toMatchObject({ ok: false });
      expect(await handshake(strictPort)).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
    } finally {
      await strict.close();
    }
  });
});
