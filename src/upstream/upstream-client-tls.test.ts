// TLS through the guard: the socket goes to the checked address (127.0.0.1), while SNI and certificate checks
// still use the host name of the URL. A throwaway certificate for app.test is trusted for this worker only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Server, createServer } from 'node:https';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import type { Resolver } from './guarded-connect.ts';
import { UpstreamClient, type UpstreamPolicy } from './upstream-client.ts';

const names: string[] = [];
let server: Server;
let port: number;
let dir: string;
const defaultCAs = getCACertificates('default');

// Both names lead to the local server; only app.test is in its certificate.
const resolve: Resolver = (host) =>
  host === 'app.test' || host === 'other.test' ? Promise.resolve([{ address: '127.0.0.1', family: 4 }]) : Promise.reject(new Error('unexpected host'));
const policy: UpstreamPolicy = { connectMs: 2000, headersMs: 2000, idleMs: 2000, allowPrivateNetwork: true };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-tls-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=app.test', '-addext', 'subjectAltName=DNS:app.test', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  const certPem = readFileSync(cert, 'utf8');
  setDefaultCACertificates([...defaultCAs, certPem]);
  server = createServer({ key: readFileSync(key), cert: certPem }, (_req, res) => res.writeHead(200).end('ok'));
  // The server side of the handshake shows which name the client asked for (SNI).
  server.on('secureConnection', (socket) => names.push(String(socket.servername)));
  server.on('tlsClientError', () => {});
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  setDefaultCACertificates(defaultCAs);
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS through the guarded connector', () => {
  it('connects to the checked address with the URL host as SNI, and verifies the certificate for it', async () => {
    const client = new UpstreamClient({ resolve });
    try {
      const response = await client.send({ url: `https://app.test:${port}/`, method: 'GET', headers: {} }, policy, new AbortController().signal);
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('ok');
      expect(names).toEqual(['app.test']);
    } finally {
      await client.close();
    }
  });

  it('refuses a certificate that does not name the URL host, even though the address is the same', async () => {
    const client = new UpstreamClient({ resolve });
    try {
      const error: unknown = await client.send({ url: `https://other.test:${port}/`, method: 'GET', headers: {} }, policy, new AbortController().signal).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RampartError);
      expect((error as RampartError).cause).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    } finally {
      await client.close();
    }
  });
});
