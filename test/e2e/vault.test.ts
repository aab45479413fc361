import { randomBytes } from 'node:crypto';
import { chmod, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open-storage.ts';
import { openVault } from '../../src/vault/open-vault.ts';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * The encrypted credential vault end to end, with real `rampart` processes: credentials added and removed by the CLI
 * reach a running server, rotation and restart with the new key, refusal of the old one, kill -9 in the middle of a
 * rotation, data folder permissions, and a canary check that the planted upstream key appears nowhere in clear.
 */

const newKey = () => randomBytes(32).toString('base64');
type Work = Awaited<ReturnType<typeof makeWorkdir>>;

/** Every file of the data folder, raw bytes (database, WAL, shared memory, keys). */
async function rawDataFiles(dataDir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(full, await readFile(full));
    }
  };
  await walk(dataDir);
  return files;
}

describe('vault: credentials reach a running server (real processes)', () => {
  let work: Work;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let config: string;
  let mockUrl: string;
  let proxyUrl: string;
  let clientKey: string;
  const planted = `sk-canary-${randomBytes(12).toString('hex')}`;
  const cliOutputs: string[] = [];
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const result = await runCli([...args, '--config', config], { env });
    cliOutputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      'server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: info }\n' +
        `providers:\n  - id: vp\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    models: [vault-model]\n`,
    );
    clientKey = (JSON.parse((await cli(['keys', 'create', '--name', 'vault', '--json'])).stdout) as { key: string }).key;
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  });
  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  const chat = () =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey}` },
      body: JSON.stringify({ model: 'vault-model', messages: [{ role: 'user', content: 'hello' }] }),
    });
  const keysSeen = async () =>
    ((await (await fetch(`${mockUrl}/__mock/requests`)).json()) as { headers: Record<string, string> }[]).map((r) => r.headers.authorization);
  /** Polls until a request gets `status` (bounded: the server re-reads the vault every 2 s). */
  const until = async (status: number, timeoutMs = 8_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await chat();
      await res.arrayBuffer();
      if (res.status === status) return Date.now();
      if (Date.now() > deadline) throw new Error(`still ${res.status}, expected ${status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('first start generates the vault key, shows it once, keeps it 0600 in a 0700 folder and warns about the empty provider', async () => {
    const dataDir = path.join(work.dir, 'data');
    const keyText = (await readFile(path.join(dataDir, 'vault.key'), 'utf8')).trim();
    expect(serve.stderr()).toContain(`vault:     ${keyText}`);
    expect(serve.stderr().split(keyText).length - 1).toBe(1);
    expect(serve.stderr()).toMatch(/store a copy somewhere safe/);
    // The process log (stdout, pino JSON) never carries it.
    expect(serve.stdout()).not.toContain(keyText);
    // Printed once the listeners are up, a moment after the proxy's line.
    await serve.waitFor(/provider "vp" has no credentials \(none in the config, none in the vault\)/);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const files = await rawDataFiles(dataDir);
    expect([...files.keys()].map((f) => path.basename(f))).toEqual(expect.arrayContaining(['rampart.db', 'vault.key', 'client-key-pepper']));
    for (const file of files.keys()) expect([file, ((await stat(file)).mode & 0o777).toString(8)]).toEqual([file, '600']);
    for (const dir of new Set([...files.keys()].map((f) => path.dirname(f)))) expect([dir, ((await stat(dir)).mode & 0o777).toString(8)]).toEqual([dir, '700']);
    expect((await chat()).status).toBe(503);
  });

  it('credentials add → list without the secret → picked up by the running server → remove → no longer used', async () => {
    const added = await cli(['credentials', 'add', '--provider', 'vp', '--api-key-env', 'PLANTED_KEY', '--id', 'vp-main', '--label', 'e2e'], { PLANTED_KEY: planted });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Added credential vp-main for provider vp \(vault key version 1\)/);
    const listed = await cli(['credentials', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: 'vp-main', provider: 'vp', kind: 'api_key', label: 'e2e', keyVersion: 1 }),
    ]);
    expect((await cli(['credentials', 'list'])).stdout).toMatch(/vp-main\s+vp\s+api_key\s+e2e/);

    await fetch(`${mockUrl}/__mock/requests`, { method: 'DELETE' });
    await until(200);
    expect(await keysSeen()).toContain(`Bearer ${planted}`);

    expect((await cli(['credentials', 'remove', 'vp-main'])).stdout).toMatch(/Removed credential vp-main/);
    await until(503);
    await fetch(`${mockUrl}/__mock/requests`, { method: 'DELETE' });
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(503);
    expect(await keysSeen()).toEqual([]);
    const again = await cli(['credentials', 'remove', 'vp-main']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no credential with id "vp-main"/);
  });

  it('refuses bad input in one line: unknown provider, unset variable, a secret passed as the variable name', async () => {
    const unknown = await cli(['credentials', 'add', '--provider', 'nope', '--api-key-env', 'PLANTED_KEY'], { PLANTED_KEY: planted });
    expect([unknown.code, unknown.stderr.trim()]).toEqual([1, 'rampart: no provider "nope" in the config (configured: vp)']);
    const unset = await cli(['credentials', 'add', '--provider', 'vp', '--api-key-env', 'NOT_SET_ANYWHERE_42']);
    expect(unset.stderr).toMatch(/environment variable NOT_SET_ANYWHERE_42 \(named by --api-key-env\) is not set/);
    const inline = await cli(['credentials', 'add', '--provider', 'vp', '--api-key-env', 'sk-live-abc.def']);
    expect(inline.stderr).toMatch(/takes the NAME of an environment variable/);
    expect(inline.stderr).not.toContain('sk-live-abc.def');
    const noArgvKey = await cli(['credentials', 'add', '--provider', 'vp', '--api-key', planted]);
    expect(noArgvKey.code).not.toBe(0);
  });

  it('canary: the planted upstream key appears in no process output, CLI output or data file (raw or base64)', async () => {
    const needles = [planted, Buffer.from(planted).toString('base64'), Buffer.from(planted).toString('base64url')];
    const outputs = [serve.stdout(), serve.stderr(), ...cliOutputs];
    for (const text of outputs) for (const needle of needles) expect(text.includes(needle)).toBe(false);
    // The server's own log saw the credential arrive (by id): the check above looked at a log that talks about it.
    expect(serve.stdout()).toMatch(/vault credentials loaded into the pool/);
    const files = await rawDataFiles(path.join(work.dir, 'data'));
    expect([...files.keys()].some((f) => f.endsWith('rampart.db'))).toBe(true);
    for (const [file, bytes] of files) for (const needle of needles) expect({ file, found: bytes.includes(needle) }).toEqual({ file, found: false });
  });

  it('refuses insecure permissions at boot with the exact chmod commands; the override starts with a loud warning', async () => {
    await serve.stop();
    const dataDir = path.join(work.dir, 'data');
    const db = path.join(dataDir, 'rampart.db');
    await chmod(dataDir, 0o755);
    await chmod(db, 0o644);
    const refused = await runCli(['serve', '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`  chmod 700 ${dataDir}\n`);
    expect(refused.stderr).toContain(`  chmod 600 ${db}\n`);
    expect(refused.stderr).toMatch(/--allow-insecure-permissions/);
    const listRefused = await runCli(['credentials', 'list', '--config', config]);
    expect(listRefused.stderr).toContain(`chmod 600 ${db}`);
    serve = startCli(['serve', '--config', config, '--allow-insecure-permissions']);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    expect(serve.stderr()).toMatch(/WARNING: insecure permissions/);
    await serve.stop();
    await chmod(dataDir, 0o700);
    await chmod(db, 0o600);
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    expect(serve.stderr()).not.toMatch(/WARNING/);
  });
});

describe('vault: rotation, restart with the new key, refusal of the old one (real processes)', () => {
  let work: Work;
  let mock: RunningProcess;
  let config: string;
  let mockUrl: string;
  const oldKey = newKey();
  const nextKey = newKey();
  const upstreamKey = `sk-rotate-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      'server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\n' +
        `providers:\n  - id: rp\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    models: [rp-model]\n`,
    );
  });
  afterAll(async () => {
    await mock?.stop();
    await work?.remove();
  });

  it('rotates, serves with the new key after a restart, and refuses the old, a wrong, a malformed and a missing key clearly', async () => {
    const env = { RAMPART_VAULT_KEY: oldKey };
    expect((await runCli(['credentials', 'add', '--provider', 'rp', '--api-key-env', 'UP', '--id', 'rp-1', '--config', config], { env: { ...env, UP: upstreamKey } })).code).toBe(0);
    const rotated = await runCli(['vault', 'rotate', '--new-key-env', 'NEXT_KEY', '--config', config], { env: { ...env, NEXT_KEY: nextKey } });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/version 1 → 2, 1 credential\(s\) re-encrypted/);
    expect(rotated.stdout).toMatch(/Set RAMPART_VAULT_KEY to the new key/);
    expect(rotated.stdout + rotated.stderr).not.toContain(nextKey);
    const status = JSON.parse((await runCli(['vault', 'status', '--json', '--config', config], { env: { RAMPART_VAULT_KEY: nextKey } })).stdout) as {
      key: string;
      currentVersion: number;
      versions: { version: number; state: string; credentials: number }[];
    };
    expect(status).toMatchObject({ key: 'opens', currentVersion: 2 });
    expect(status.versions.map((v) => [v.version, v.state, v.credentials])).toEqual([
      [1, 'retired', 0],
      [2, 'current', 1],
    ]);

    const serve = startCli(['serve', '--config', config], { env: { RAMPART_VAULT_KEY: nextKey } });
    try {
      const proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
      const clientKey = (JSON.parse((await runCli(['keys', 'create', '--name', 'r', '--json', '--config', config])).stdout) as { key: string }).key;
      const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey}` },
        body: JSON.stringify({ model: 'rp-model', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      const seen = ((await (await fetch(`${mockUrl}/__mock/requests`)).json()) as { headers: Record<string, string> }[]).map((r) => r.headers.authorization);
      expect(seen).toContain(`Bearer ${upstreamKey}`);
    } finally {
      await serve.stop();
    }

    const refusals: [Record<string, string>, RegExp][] = [
      [{ RAMPART_VAULT_KEY: oldKey }, /RAMPART_VAULT_KEY opens vault key version 1, which a rotation retired; the vault is on version 2/],
      [{ RAMPART_VAULT_KEY: newKey() }, /RAMPART_VAULT_KEY does not open vault key version 2/],
      [{ RAMPART_VAULT_KEY: 'not-a-key' }, /RAMPART_VAULT_KEY is not a vault key/],
      [{}, /the vault holds 1 credential\(s\) under key version 2 but no key was found: set RAMPART_VAULT_KEY or restore/],
    ];
    for (const [keyEnv, message] of refusals) {
      const result = await runCli(['serve', '--config', config], { env: keyEnv });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('vault: kill -9 in the middle of a rotation loses nothing (real processes)', () => {
  const COUNT = 2000;
  let work: Work;
  let config: string;
  let dataDir: string;

  beforeAll(async () => {
    work = await makeWorkdir();
    config = await work.writeConfig('providers:\n  - { id: kp, type: openai, models: [m] }\n');
    dataDir = path.join(work.dir, 'data');
  });
  afterAll(async () => {
    await work?.remove();
  });

  /** Seeds the vault in this process (2000 CLI runs would take minutes); the rotations below are real processes. */
  const seed = async (keyText: string) => {
    const storage = await openStorage(dataDir);
    try {
      const vault = await openVault({ storage, keyFile: path.join(dataDir, 'vault.key'), env: { RAMPART_VAULT_KEY: keyText }, allowGenerate: false, notice: () => {} });
      for (let i = 0; i < COUNT; i++) await vault.add({ id: `k${i}`, providerId: 'kp', secret: { kind: 'api_key', apiKey: `sk-kill-${i}` } });
    } finally {
      await storage.close();
    }
  };
  const currentVersion = async () => (JSON.parse((await runCli(['vault', 'status', '--json', '--config', config])).stdout) as { currentVersion: number; credentials: number });
  /** Runs a rotation and SIGKILLs it when its output matches `trigger` (or lets it finish when no trigger). */
  const rotateAndKill = async (env: Record<string, string>, trigger: RegExp | undefined, configFile = config) => {
    const child = startCli(['vault', 'rotate', '--new-key-env', 'NEXT_KEY', '--config', configFile], { env });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.child.once('exit', (code, signal) => resolve({ code, signal })));
    if (trigger !== undefined) {
      await child.waitFor(trigger, 30_000).then(
        () => child.child.kill('SIGKILL'),
        () => undefined,
      );
    }
    return exited;
  };

  it('environment keys: after every kill, exactly the key the database names as current reads all 2000 credentials', async () => {
    let current = newKey();
    let version = 1;
    await seed(current);
    const moments = [/rotating: re-encrypting/, /rotating: 250\/2000/, /rotating: 1000\/2000/, /rotating: 2000\/2000/, /committed/, undefined];
    let killedMidway = 0;
    for (const moment of moments) {
      const next = newKey();
      const outcome = await rotateAndKill({ RAMPART_VAULT_KEY: current, NEXT_KEY: next }, moment);
      if (outcome.signal === 'SIGKILL') killedMidway++;
      const status = await currentVersion();
      expect(status.credentials).toBe(COUNT);
      expect([version, version + 1]).toContain(status.currentVersion);
      const [good, bad] = status.currentVersion === version ? [current, next] : [next, current];
      const verified = await runCli(['vault', 'verify', '--config', config], { env: { RAMPART_VAULT_KEY: good } });
      expect({ moment: String(moment), out: verified.stdout.trim(), code: verified.code }).toEqual({
        moment: String(moment),
        out: `All ${COUNT} credentials decrypt with vault key version ${status.currentVersion}.`,
        code: 0,
      });
      const refused = await runCli(['vault', 'verify', '--config', config], { env: { RAMPART_VAULT_KEY: bad } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/RAMPART_VAULT_KEY (does not open|opens vault key version \d+, which a rotation retired)/);
      if (status.currentVersion !== version) version = status.currentVersion;
      current = good;
    }
    // The kills really landed inside running rotations (not after they ended).
    expect(killedMidway).toBeGreaterThanOrEqual(3);
  });

  it('key file: a kill between commit and file swap is finished at the next start; the file always matches the database', async () => {
    const fresh = await makeWorkdir();
    try {
      const freshConfig = await fresh.writeConfig('providers:\n  - { id: kp, type: openai, models: [m] }\n');
      const freshData = path.join(fresh.dir, 'data');
      const keyFile = path.join(freshData, 'vault.key');
      // First use without an environment key: the key is generated into the key file.
      const seeding = await openStorage(freshData);
      try {
        const vault = await openVault({ storage: seeding, keyFile, env: {}, allowGenerate: true, notice: () => {} });
        for (let i = 0; i < COUNT; i++) await vault.add({ id: `f${i}`, providerId: 'kp', secret: { kind: 'api_key', apiKey: `sk-file-${i}` } });
      } finally {
        await seeding.close();
      }
      let current = (await readFile(keyFile, 'utf8')).trim();
      let killed = 0;
      for (const moment of [/rotating: 1000\/2000/, /committed/, /committed/, undefined]) {
        const next = newKey();
        const outcome = await rotateAndKill({ NEXT_KEY: next }, moment, freshConfig);
        if (outcome.signal === 'SIGKILL') killed++;
        // No environment key: the key file (or its pending `.next`) must open the vault; verify finishes a swap.
        const verified = await runCli(['vault', 'verify', '--config', freshConfig]);
        expect(verified.stdout.trim()).toMatch(new RegExp(`^All ${COUNT} credentials decrypt with vault key version \\d+\\.$`));
        const onDisk = (await readFile(keyFile, 'utf8')).trim();
        expect([current, next]).toContain(onDisk);
        // The key on disk is the one the database names as current: the other key is refused.
        const other = onDisk === current ? next : current;
        const refused = await runCli(['vault', 'verify', '--config', freshConfig], { env: { RAMPART_VAULT_KEY: other } });
        expect(refused.code).toBe(1);
        expect(((await stat(keyFile)).mode & 0o777).toString(8)).toBe('600');
        current = onDisk;
      }
      expect(killed).toBeGreaterThanOrEqual(2);
    } finally {
      await fresh.remove();
    }
  });
});
