import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { type TlsConfig, tlsSchema } from '../config/tls-schema.ts';
import { type CertificateWatcher, watchCertificates } from './certificate-watcher.ts';
import { type TestCertificate, makeCertificate } from './test-certificates.ts';
import { handshake } from './tls-client.ts';
import { type TlsLogger, loadTlsOptions } from './tls.ts';

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

function recordingLog(): TlsLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push = (level: string) => (fields: object, message: string) => void lines.push({ level, fields: { ...fields }, message });
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

/** Polls until `check` holds; the file-change path is asynchronous by nature (fs.watch + debounce). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

let pool: string;
let first: TestCertificate;
let second: TestCertificate;
let third: TestCertificate;

beforeAll(async () => {
  pool = await mkdtemp(path.join(tmpdir(), 'rampart-certs-'));
  [first, second, third] = await Promise.all([makeCertificate(pool, 'first'), makeCertificate(pool, 'second'), makeCertificate(pool, 'third', { keyType: 'ec' })]);
});

afterAll(async () => {
  await rm(pool, { recursive: true, force: true });
});

describe('watchCertificates', () => {
  let dir: string;
  let app: FastifyInstance<HttpsServer>;
  let port: number;
  let watcher: CertificateWatcher | undefined;
  let log: ReturnType<typeof recordingLog>;
  let config: TlsConfig;

  /** Puts `cert`'s pair at the served paths; `atomic` writes beside them and renames over, as certbot/cert-manager do. */
  async function install(cert: TestCertificate, atomic = false): Promise<void> {
    for (const [from, to] of [[cert.certFile, 'tls/server.crt'], [cert.keyFile, 'tls/server.key']] as const) {
      const target = path.join(dir, to);
      if (!atomic) await copyFile(from, target);
      else {
        await copyFile(from, `${target}.tmp`);
        await rename(`${target}.tmp`, target);
      }
    }
  }

  async function start(input: Record<string, unknown>, options: Parameters<typeof watchCertificates>[4] = {}): Promise<void> {
    const parsed = tlsSchema.parse({ certFile: 'tls/server.crt', keyFile: 'tls/server.key', ...input });
    if (parsed === undefined) throw new Error('expected a TLS config');
    config = parsed;
    const https = await loadTlsOptions(config, dir);
    app = Fastify({ https });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    watcher = watchCertificates(app.server, config, dir, log, { debounceMs: 50, served: https, ...options });
  }

  const served = async (): Promise<string> => {
    const result = await handshake(port);
    return result.ok ? result.fingerprint256 : `failed: ${result.code}`;
  };

  afterEach(async () => {
    watcher?.stop();
    watcher = undefined;
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function setUp(): Promise<void> {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-watch-'));
    await mkdir(path.join(dir, 'tls'));
    await install(first);
    log = recordingLog();
  }

  it('serves the new certificate to new connections after the files are rewritten in place', async () => {
    await setUp();
    await start({});
    expect(await served()).toBe(first.fingerprint256);
    await install(second);
    await eventually(async () => (await served()) === second.fingerprint256);
    expect(log.lines.at(-1)).toMatchObject({ level: 'info', message: 'TLS certificate reloaded', fields: { reason: 'file change', fingerprint256: second.fingerprint256 } });
  });

  it('follows an atomic replace (rename over the old file), which a plain file watch would miss', async () => {
    await setUp();
    await start({});
    await install(third, true);
    await eventually(async () => (await served()) === third.fingerprint256);
    await install(second, true);
    await eventually(async () => (await served()) === second.fingerprint256);
  });

  it('reloads on SIGHUP (and only then when reloadOnChange is off)', async () => {
    await setUp();
    await start({ reloadOnChange: false });
    await install(second);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await served()).toBe(first.fingerprint256);
    process.emit('SIGHUP', 'SIGHUP');
    await eventually(async () => (await served()) === second.fingerprint256);
    expect(log.lines.at(-1)).toMatchObject({ message: 'TLS certificate reloaded', fields: { reason: 'signal SIGHUP' } });
  });

  it('keeps the old certificate when the new pair does not match, and says why without key material', async () => {
    await setUp();
    await start({});
    // Only the certificate changes: the key on disk still belongs to `first`.
    await copyFile(second.certFile, path.join(dir, 'tls/server.crt'));
    await eventually(() => Promise.resolve(log.lines.some((line) => line.level === 'error')));
    expect(await served()).toBe(first.fingerprint256);
    const failure = log.lines.find((line) => line.level === 'error');
    expect(failure?.message).toBe('TLS certificate reload failed; still serving the previous certificate');
    expect(String(failure?.fields.error)).toMatch(/does not belong to the certificate/);
    expect(JSON.stringify(log.lines)).not.toMatch(/BEGIN|PRIVATE KEY|MII/);
    // The matching key arrives: the pair is complete and goes into service.
    await copyFile(second.keyFile, path.join(dir, 'tls/server.key'));
    await eventually(async () => (await served()) === second.fingerprint256);
  });

  it('keeps the old certificate when the files disappear or are garbage, via the reload function too', async () => {
    await setUp();
    await start({ reloadOnChange: false });
    await writeFile(path.join(dir, 'tls/server.crt'), 'garbage');
    expect(await watcher?.reload('test')).toBeUndefined();
    await rm(path.join(dir, 'tls/server.key'));
    expect(await watcher?.reload('test')).toBeUndefined();
    expect(await served()).toBe(first.fingerprint256);
    expect(log.lines.map((line) => line.fields.error)).toEqual([expect.stringMatching(/is not a PEM certificate/), expect.stringMatching(/cannot read .*server\.key \(ENOENT\)/)]);
    await install(second);
    expect(await watcher?.reload('test')).toMatchObject({ fingerprint256: second.fingerprint256 });
    expect(await served()).toBe(second.fingerprint256);
  });

  it('ignores unrelated changes in the folder', async () => {
    await setUp();
    await start({});
    await writeFile(path.join(dir, 'tls/notes.txt'), 'hello');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(log.lines).toEqual([]);
    expect(await served()).toBe(first.fingerprint256);
  });

  it('stops listening for SIGHUP and file changes once stopped', async () => {
    await setUp();
    await start({});
    const before = process.listenerCount('SIGHUP');
    watcher?.stop();
    expect(process.listenerCount('SIGHUP')).toBe(before - 1);
    await install(second);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await served()).toBe(first.fingerprint256);
  });

  it('can leave signals to the caller', async () => {
    await setUp();
    const before = process.listenerCount('SIGHUP');
    await start({}, { signal: false });
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
