import { execFileSync } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

async function keyIds(config: string): Promise<string[]> {
  const list = await runCli(['keys', 'list', '--json', '-c', config]);
  expect(list.code).toBe(0);
  return (JSON.parse(list.stdout) as { id: string }[]).map((k) => k.id);
}

describe('rampart audit verify on a real data folder', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let config: string;
  beforeAll(async () => {
    work = await makeWorkdir();
    config = await work.writeConfig('dataDir: ./data\n');
  });
  afterAll(() => work.remove());

  it('is intact after CLI actions, and names the edited index after an edit', async () => {
    const created = await runCli(['keys', 'create', '-n', 'app-one', '--json', '-c', config]);
    expect(created.code).toBe(0);
    const secret = (JSON.parse(created.stdout) as { key: string }).key;
    expect((await runCli(['keys', 'create', '-n', 'app-two', '-c', config])).code).toBe(0);
    const [first] = await keyIds(config);
    expect((await runCli(['keys', 'update', first ?? '', '--rps', '5', '-c', config])).code).toBe(0);
    expect((await runCli(['keys', 'revoke', first ?? '', '-c', config])).code).toBe(0);

    const ok = await runCli(['audit', 'verify', '-c', config]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^audit log intact: 4 records, 0 checkpoints, head 3 /);

    const tail = await runCli(['audit', 'tail', '-n', '10', '--json', '-c', config]);
    const types = (JSON.parse(tail.stdout) as { type: string }[]).map((r) => r.type);
    expect(types).toEqual(['key_created', 'key_created', 'key_updated', 'key_revoked']);
    const query = await runCli(['audit', 'query', '--since', '2000-01-01', '--until', '2999-01-01', '--type', 'key_revoked', '--json', '-c', config]);
    expect((JSON.parse(query.stdout) as { details: { keyId: string } }[]).map((r) => r.details.keyId)).toEqual([first]);

    const file = path.join(work.dir, 'data', 'audit', 'audit.jsonl');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(secret);
    // The same copy of the public key the operator would keep elsewhere.
    const pub = path.join(work.dir, 'operator-copy.pem');
    await writeFile(pub, await readFile(path.join(work.dir, 'data', 'audit', 'checkpoint-key.pub.pem')));
    expect((await runCli(['audit', 'verify', '--public-key', pub, '-c', config])).code).toBe(0);

    await writeFile(file, text.replace('"name":"app-two"', '"name":"app-2wo"'));
    const bad = await runCli(['audit', 'verify', '-c', config]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('index 1:');
    expect(bad.stderr).toContain('first bad index 1');
    const json = await runCli(['audit', 'verify', '--json', '-c', config]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBadIndex: 1 });
  });
});

describe('fail closed on a full disk (real tmpfs)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess | undefined;
  let serve: RunningProcess | undefined;
  let mountPoint: string;
  let mockUrl: string;
  let mounted = false;

  beforeAll(async () => {
    work = await makeWorkdir();
    mountPoint = path.join(work.dir, 'auditfs');
    await mkdir(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint], { stdio: 'pipe' });
      mounted = true;
    } catch (error) {
      // CI runs as root and must exercise this; elsewhere a machine without mount rights skips it.
      if (process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the fail-closed test: ${String(error)}`, { cause: error });
    }
    mock = startCli(['mock-upstream', '--port', '0']);
    mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  });

  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    if (mounted) execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    await work.remove();
  });

  /** The same data and audit folders under either failure policy. */
  async function writeConfig(policy: 'block' | 'continue-and-alert'): Promise<string> {
    const file = path.join(work.dir, `rampart-${policy}.yaml`);
    await writeFile(
      file,
      `dataDir: ./data\nlogging: { level: warn }\nserver:\n  proxy: { port: 0 }\n  metrics: { enabled: false }\n  dashboard: { enabled: false }\n` +
        `audit:\n  dir: ./auditfs/audit\n  writeTimeoutMs: 2000\n  onFailure: { proxy: ${policy} }\n` +
        `providers:\n  - id: m\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    credentials: [{ apiKey: sk-m }]\n    models: [m1]\n`,
    );
    return file;
  }

  async function startServe(config: string): Promise<string> {
    serve = startCli(['serve', '--config', config]);
    return (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  }

  /** Fills the tmpfs to the last page. */
  async function fill(): Promise<void> {
    const handle = await open(path.join(mountPoint, 'fill'), 'w');
    const chunk = Buffer.alloc(4096, 0x61);
    try {
      for (let i = 0; i < 64; i++) await handle.write(chunk);
      throw new Error('the tmpfs did not fill up');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await handle.close();
    }
  }

  it('refuses `keys create` within 5 s with exit 1, `serve` answers 503 under block and serves under continue-and-alert', async (context) => {
    if (!mounted) context.skip();
    const block = await writeConfig('block');
    const lenient = await writeConfig('continue-and-alert');
    const created = await runCli(['keys', 'create', '-n', 'before', '--json', '-c', block]);
    expect(created.code).toBe(0);
    const key = (JSON.parse(created.stdout) as { key: string }).key;
    const chat = (url: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] }),
      });

    let url = await startServe(block);
    expect((await chat(url)).status).toBe(200);
    await fill();

    const started = Date.now();
    const refused = await runCli(['keys', 'create', '-n', 'during', '-c', block]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('rampart: the audit log cannot be written (ENOSPC); the action was refused and nothing was changed');
    expect(await keyIds(block)).toHaveLength(1);

    // The server notices at its next write: within 5 s every proxied request is refused, in the caller's format.
    const deadline = Date.now() + 5000;
    let last: Response | undefined;
    while (Date.now() < deadline) {
      last = await chat(url);
      if (last.status === 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last?.status).toBe(503);
    expect(await last?.json()).toMatchObject({ error: { code: 'RAMPART_AUDIT_UNAVAILABLE' } });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await serve?.stop();

    // continue-and-alert: the same full disk, and traffic flows.
    url = await startServe(lenient);
    for (let i = 0; i < 3; i++) expect((await chat(url)).status).toBe(200);
    expect(serve?.stdout()).toContain('the audit log cannot be written');

    // Space again: the running writer recovers by itself; the CLI works again; the chain is intact.
    await rm(path.join(mountPoint, 'fill'));
    await new Promise((r) => setTimeout(r, 500));
    expect((await chat(url)).status).toBe(200);
    await serve?.stop();
    expect((await runCli(['keys', 'create', '-n', 'after', '-c', block])).code).toBe(0);
    const verify = await runCli(['audit', 'verify', '-c', block]);
    expect(verify.stdout + verify.stderr).not.toContain('index ');
    expect(verify.code).toBe(0);
    const log = await readFile(path.join(mountPoint, 'audit', 'audit.jsonl'), 'utf8');
    expect(log).toContain('"error":"ENOSPC"');
  });
});
