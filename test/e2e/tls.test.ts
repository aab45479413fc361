import { copyFile, mkdir, rename } from 'node:fs/promises';
import { request } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCertificate, makeCertificate } from '../../src/server/test-certificates.ts';
import { LEGACY_CLIENT, handshake } from '../../src/server/tls-client.ts';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/** GET over HTTPS, trusting only `ca`; resolves with status, headers and body. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; hsts: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'], body }));
    });
    req.on('error', reject).end();
  });
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `rampart serve` with `server.proxy.tls` (real process): handshakes, reload by SIGHUP and by file change, boot refusals. */
describe('TLS on the proxy listener (real process)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let serve: RunningProcess;
  let port: number;
  let proxyUrl: string;
  let certs: TestCertificate[];

  /** Puts a pair where the config points, the way certbot does: write beside, then rename over. */
  async function install(cert: TestCertificate, parts: ('crt' | 'key')[] = ['crt', 'key']): Promise<void> {
    for (const part of parts) {
      const target = path.join(work.dir, 'tls', `server.${part}`);
      await copyFile(part === 'crt' ? cert.certFile : cert.keyFile, `${target}.new`);
      await rename(`${target}.new`, target);
    }
  }

  const served = async (): Promise<string> => {
    const result = await handshake(port);
    return result.ok ? result.fingerprint256 : `failed: ${result.code}`;
  };

  beforeAll(async () => {
    work = await makeWorkdir();
    await mkdir(path.join(work.dir, 'tls'));
    await mkdir(path.join(work.dir, 'pool'));
    certs = await Promise.all(['a', 'b', 'c'].map((name) => makeCertificate(path.join(work.dir, 'pool'), name)));
    await install(certs[0]!);
    // Relative paths: they start at the config file's folder, not at the working directory of the process.
    const configFile = await work.writeConfig(`
server:
  proxy:
    host: 127.0.0.1
    port: 0
    tls: { certFile: tls/server.crt, keyFile: tls/server.key }
  metrics: { port: 0 }
  dashboard: { port: 0 }
dataDir: ./data
`);
    serve = startCli(['serve', '--config', configFile]);
    proxyUrl = (await serve.waitFor(/proxy listening on (https:\/\/127\.0\.0\.1:\d+)/))[1]!;
    port = Number(new URL(proxyUrl).port);
  });

  afterAll(async () => {
    await serve?.stop();
    await work?.remove();
  });

  it('serves HTTPS with the configured certificate and HSTS', async () => {
    const response = await httpsGet(`${proxyUrl}/healthz`, certs[0]!.cert);
    expect(response).toMatchObject({ status: 200, hsts: expect.stringMatching(/^max-age=\d+/) as unknown });
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
    expect(await served()).toBe(certs[0]!.fingerprint256);
  });

  it('refuses TLS 1.1 and non-forward-secret TLS 1.2 suites', async () => {
    expect(await handshake(port, { ...LEGACY_CLIENT, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' })).toMatchObject({ ok: false });
    expect(await handshake(port, { ciphers: 'AES128-GCM-SHA256:@SECLEVEL=0', maxVersion: 'TLSv1.2' })).toMatchObject({ ok: false });
    expect(await handshake(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ ok: true, cipher: expect.stringMatching(/^ECDHE-RSA-AES\d+-GCM/) as unknown });
  });

  it('reloads the certificate on SIGHUP without dropping the listener', async () => {
    await install(certs[1]!);
    serve.child.kill('SIGHUP');
    await eventually(async () => (await served()) === certs[1]!.fingerprint256);
    expect(serve.child.exitCode).toBeNull();
    expect((await httpsGet(`${proxyUrl}/healthz`, certs[1]!.cert)).status).toBe(200);
  });

  it('reloads the certificate when the files change', async () => {
    await install(certs[2]!);
    await eventually(async () => (await served()) === certs[2]!.fingerprint256);
  });

  it('keeps serving the old certificate when the new key does not match, and logs why without key material', async () => {
    await install(certs[0]!, ['crt']);
    serve.child.kill('SIGHUP');
    await serve.waitFor(/TLS certificate reload failed/);
    expect(await served()).toBe(certs[2]!.fingerprint256);
    expect(serve.stdout() + serve.stderr()).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  it.each([
    ['a refused cipher list', 'ciphers: "ECDHE+AESGCM:RC4-SHA"', /server\.proxy\.tls\.ciphers: enables RC4/],
    ['TLS 1.1', 'minVersion: TLSv1.1', /server\.proxy\.tls\.minVersion/],
    ['a key of another certificate', '', /server\.proxy\.tls\.keyFile: the key in .* does not belong to the certificate/],
  ])('refuses to start with %s', async (_name, extra, message) => {
    const keyFile = extra === '' ? 'pool/b.key' : 'pool/a.key';
    const configFile = await work.writeConfig(`
server:
  proxy: { port: 0, tls: { certFile: pool/a.crt, keyFile: ${keyFile}${extra === '' ? '' : `, ${extra}`} } }
dataDir: ./data-refused
`);
    const result = await runCli(['serve', '--config', configFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('RC4-SHA');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  });
});
