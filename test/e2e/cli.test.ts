import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeWorkdir, runCli } from './harness.ts';

describe('rampart CLI (real process)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  beforeAll(async () => {
    work = await makeWorkdir();
  });
  afterAll(async () => {
    await work.remove();
  });

  it('prints its version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it('has help for the program and every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['serve', 'keys', 'mock-upstream']) expect(top.stdout).toContain(command);
    for (const args of [['serve', '--help'], ['keys', '--help'], ['keys', 'create', '--help'], ['keys', 'list', '--help'], ['keys', 'revoke', '--help'], ['mock-upstream', '--help']]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout, args.join(' ')).toMatch(/Usage: rampart/);
    }
    expect((await runCli(['keys', 'create', '--help'])).stdout).toContain('--config');
  });

  it('fails on a bad config with the field path, one line per problem, no stack trace', async () => {
    const file = await work.writeConfig('server:\n  proxy: { port: 99999 }\nproviders:\n  - id: x\n    type: openai-compatible\n    baseUrl: ftp://example.com\n    credentials: [{ apiKey: k }]\n    models: [m]\n');
    const result = await runCli(['serve', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('server.proxy.port');
    expect(result.stderr).toContain('providers[0].baseUrl');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  });

  it('names an unset ${VAR} at start', async () => {
    const file = await work.writeConfig('providers:\n  - id: x\n    type: openai-compatible\n    baseUrl: http://127.0.0.1:1/v1\n    credentials: [{ apiKey: "${RAMPART_E2E_UNSET_VAR}" }]\n    models: [m]\n');
    const result = await runCli(['serve', '--config', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('providers[0].credentials[0].apiKey');
    expect(result.stderr).toContain('RAMPART_E2E_UNSET_VAR');
    // Managing keys needs only dataDir, never the upstream secrets.
    const keys = await runCli(['keys', 'list', '--config', file]);
    expect(keys.code).toBe(0);
  });

  it('shows a stack trace only with --debug', async () => {
    const missing = path.join(work.dir, 'missing.yaml');
    const plain = await runCli(['keys', 'list', '--config', missing]);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(/^rampart: .*missing\.yaml/);
    const debug = await runCli(['--debug', 'keys', 'list', '--config', missing]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('manages keys: empty list, create, list, revoke unknown id', async () => {
    const file = await work.writeConfig('dataDir: ./keys-data\n');
    const empty = await runCli(['keys', 'list', '--config', file]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No client keys');
    const created = await runCli(['keys', 'create', '--name', 'laptop', '--config', file]);
    expect(created.code).toBe(0);
    const key = /rk_live_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0];
    expect(key).toBeDefined();
    const listed = await runCli(['keys', 'list', '--config', file]);
    expect(listed.stdout).toContain('laptop');
    expect(listed.stdout).toContain(key!.slice(0, 12));
    expect(listed.stdout).not.toContain(key!);
    const revoke = await runCli(['keys', 'revoke', 'key_nope', '--config', file]);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toContain('no client key with id "key_nope"');
    const noName = await runCli(['keys', 'create', '--config', file]);
    expect(noName.code).not.toBe(0);
    expect(noName.stderr).toContain('--name');
  });

  it('state commands refuse a data folder others can read, with the exact chmod, unless overridden', async () => {
    const file = await work.writeConfig('dataDir: ./perm-data\n');
    expect((await runCli(['keys', 'create', '--name', 'p', '--config', file])).code).toBe(0);
    const db = path.join(work.dir, 'perm-data', 'rampart.db');
    await chmod(db, 0o644);
    for (const args of [['keys', 'list'], ['pool', 'status'], ['usage'], ['blocks', 'list'], ['audit', 'tail']]) {
      const refused = await runCli([...args, '--config', file]);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain(`chmod 600 ${db}`);
    }
    const overridden = await runCli(['keys', 'list', '--config', file, '--allow-insecure-permissions']);
    expect(overridden.code).toBe(0);
    expect(overridden.stderr).toMatch(/^rampart: WARNING|WARNING: insecure permissions/m);
    await chmod(db, 0o600);
    expect((await runCli(['keys', 'list', '--config', file])).code).toBe(0);
  });

  it('refuses a bad mock-upstream port', async () => {
    const result = await runCli(['mock-upstream', '--port', 'abc']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--port must be an integer');
  });
});
