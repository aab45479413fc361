import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientKeyService } from '../keys/client-keys.ts';
import { loadKeyPepper } from '../keys/pepper.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { registerKeysCommand } from './keys-command.ts';
import { CliError } from './output.ts';

/** Runs `rampart <args>` in-process with only the keys command registered, capturing what it prints and any error. */
async function invoke(args: string[]): Promise<{ out: string[]; err: string[]; error: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  const program = new Command('rampart').configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
  registerKeysCommand(program, output);
  const exitOverride = (command: Command): void => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  const error = await program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out, err, error };
}

async function run(args: string[]): Promise<{ out: string[]; err: string[] }> {
  const result = await invoke(args);
  if (result.error instanceof Error) throw result.error;
  if (result.error !== undefined) throw new Error('the command threw a non-Error', { cause: result.error });
  return result;
}

interface Shown {
  id: string;
  status: string;
  hash?: unknown;
  [field: string]: unknown;
}

describe('rampart keys', () => {
  let dir: string;
  let config: string;
  const keys = (...args: string[]) => run(['keys', ...args, '--config', config]);
  const show = async (id: string): Promise<Shown> => JSON.parse((await keys('show', id, '--json')).out.join('')) as Shown;
  const create = async (...args: string[]): Promise<{ id: string; key: string }> => JSON.parse((await keys('create', '--json', ...args)).out.join('')) as { id: string; key: string };

  /** Authenticates against the same data dir, the way a running server would on its next request. */
  async function authenticate(key: string, now?: Date) {
    const storage = await openSqliteStorage(path.join(dir, 'data'));
    try {
      return await new ClientKeyService(storage.clientKeys, await loadKeyPepper(path.join(dir, 'data'))).authenticate(key, now);
    } finally {
      await storage.close();
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-keys-cli-'));
    config = path.join(dir, 'rampart.yaml');
    // The upstream key's variable is unset: key commands must not need upstream secrets.
    await writeFile(config, 'dataDir: ./data\nproviders:\n  - id: a\n    credentials:\n      - apiKey: ${RAMPART_TEST_UNSET_KEY}\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a scoped key: --json has exactly the four fields, show has the settings, never the hash', async () => {
    const created = JSON.parse(
      (
        await keys('create', '--name', 'ci', '--json', '--owner', 'team-a', '--models', 'gpt-4o*,claude-*', '--models', 'gemini-?', '--providers', 'openai',
          '--routes', '/v1/chat/*', '--ips', '10.0.0.0/8,::1', '--expires', '30d', '--rps', '5', '--burst', '10', '--monthly-tokens', '1000000', '--max-tokens', '4096')
      ).out.join(''),
    ) as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'id', 'key', 'name']);
    const shown = await show(created.id ?? '');
    expect(shown).toMatchObject({
      id: created.id,
      name: 'ci',
      owner: 'team-a',
      status: 'active',
      models: ['gpt-4o*', 'claude-*', 'gemini-?'],
      providers: ['openai'],
      routes: ['/v1/chat/*'],
      ips: ['10.0.0.0/8', '::1/128'],
      rps: 5,
      burst: 10,
      monthlyTokens: 1_000_000,
      maxTokens: 4096,
      disabledAt: null,
      revokedAt: null,
    });
    const days = (Date.parse(String(shown.expiresAt)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(shown).not.toHaveProperty('hash');
    const list = (await keys('list', '--json')).out.join('');
    expect(list).not.toContain(created.key);
    expect(list).not.toContain('"hash"');
  });

  it('prints the key once in text form, with its restrictions', async () => {
    const { out } = await keys('create', '--name', 'laptop', '--models', 'gpt-*');
    const key = /rk_live_[A-Za-z0-9_-]{43}/.exec(out.join('\n'))?.[0];
    expect(key).toBeDefined();
    expect(out).toContain('Copy it now: Rampart stores only a hash and cannot show it again.');
    expect(out).toContain('  models:         gpt-*');
    expect(out).toContain('  ips:            any');
    const shown = (await keys('show', /key_[0-9a-f]{24}/.exec(out[0] ?? '')?.[0] ?? '')).out;
    expect(shown.join('\n')).not.toContain(key);
    expect(shown).toContain('models:         gpt-*');
  });

  it('lists status active|disabled|expired|revoked', async () => {
    const active = await create('--name', 'active');
    const disabled = await create('--name', 'disabled', '--disable');
    const expiring = await create('--name', 'expiring', '--expires', '1h');
    // The CLI refuses a past expiry, so a key that has run out is planted the way time would leave it.
    const storage = await openSqliteStorage(path.join(dir, 'data'));
    const past = new Date(Date.now() - 1000);
    await storage.clientKeys.insert({ id: 'key_expired', name: 'expired', prefix: 'rk_live_xxxx', hash: 'h', createdAt: past, revokedAt: null, expiresAt: past });
    await storage.close();
    const revoked = await create('--name', 'revoked');
    await keys('revoke', revoked.id);
    const byId = new Map(((JSON.parse((await keys('list', '--json')).out.join('')) as Shown[]).map((k) => [k.id, k.status])));
    expect(byId.get(active.id)).toBe('active');
    expect(byId.get(disabled.id)).toBe('disabled');
    expect(byId.get(expiring.id)).toBe('active');
    expect(byId.get('key_expired')).toBe('expired');
    expect(byId.get(revoked.id)).toBe('revoked');
    const table = (await keys('list')).out;
    expect(table[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+STATUS\s+EXPIRES\s+CREATED$/);
    expect(table.find((l) => l.startsWith(disabled.id))).toMatch(/ disabled /);
    expect(table.find((l) => l.startsWith(revoked.id))).toMatch(/ revoked /);
    expect(table.find((l) => l.startsWith(active.id))).toMatch(/ active +never /);
    expect(table.find((l) => l.startsWith('key_expired'))).toMatch(/ expired /);
    // Expired is judged at authentication time too, not only in listings.
    expect(await authenticate(expiring.key, new Date(Date.now() + 2 * 3_600_000))).toEqual({ ok: false, reason: 'expired' });
    expect(await authenticate(disabled.key)).toEqual({ ok: false, reason: 'disabled' });
  });

  it('updates settings, clears them, and disables/enables; the next authentication sees it', async () => {
    const { id, key } = await create('--name', 'k', '--models', 'a*', '--rps', '3');
    const updated = await keys('update', id, '--models', 'b*', '--ips', '192.168.0.0/16', '--name', 'renamed', '--disable');
    expect(updated.out[0]).toBe(`Updated client key ${id}.`);
    expect(updated.out).toContain('status:         disabled');
    expect(await show(id)).toMatchObject({ name: 'renamed', models: ['b*'], ips: ['192.168.0.0/16'], rps: 3, status: 'disabled' });
    expect(await authenticate(key)).toEqual({ ok: false, reason: 'disabled' });
    await keys('update', id, '--enable', '--clear-models', '--clear-rps', '--expires', '2099-01-01');
    expect(await show(id)).toMatchObject({ models: null, rps: null, status: 'active', expiresAt: '2099-01-01T00:00:00.000Z', ips: ['192.168.0.0/16'] });
    expect((await authenticate(key)).ok).toBe(true);
    const json = JSON.parse((await keys('update', id, '--owner', 'ops', '--json')).out.join('')) as Shown;
    expect(json).toMatchObject({ id, owner: 'ops' });
  });

  it.each([
    [['create', '--name', 'x', '--rps', 'ten'], '--rps: "ten" is not a positive integer'],
    [['create', '--name', 'x', '--rps', '0'], '--rps: "0" is not a positive integer'],
    [['create', '--name', 'x', '--expires', '6m'], '--expires: expiry "6m" must be a duration like 30d, 12h or 2w, or an ISO-8601 date like 2026-12-31 or 2026-12-31T18:00:00Z'],
    [['create', '--name', 'x', '--expires', '2001-01-01'], 'expiry 2001-01-01T00:00:00.000Z is not in the future'],
    [['create', '--name', 'x', '--models', 'gpt-[45]'], 'model pattern "gpt-[45]" contains "["; only * and ? are wildcards'],
    [['create', '--name', 'x', '--models', 'a,,b'], '--models: "a,,b" has an empty entry'],
    [['create', '--name', 'x', '--ips', '10.0.0.1/8'], '"10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?'],
    [['create', '--name', 'x', '--ips', 'localhost'], '"localhost" is not an IP address or CIDR range'],
    [['create', '--name', 'x', '--providers', 'Open AI'], 'provider id "Open AI" must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit'],
    [['create', '--name', 'x', '--burst', '1.5'], '--burst: "1.5" is not a positive integer'],
    [['create', '--name', ''], 'key name must be 1 to 100 characters'],
    [['show', 'key_nope'], 'no client key with id "key_nope" (see: rampart keys list)'],
    [['update', 'key_nope', '--rps', '1'], 'no client key with id "key_nope" (see: rampart keys list)'],
  ])('refuses %j with one clear line', async (args, message) => {
    await expect(keys(...args)).rejects.toThrow(new CliError(message));
  });

  it('refuses contradictory or empty updates, and changes to a revoked key', async () => {
    const { id } = await create('--name', 'k');
    await expect(keys('update', id)).rejects.toThrow(/nothing to update/);
    await expect(keys('update', id, '--enable', '--disable')).rejects.toThrow('--enable and --disable contradict each other');
    await expect(keys('update', id, '--models', 'a', '--clear-models')).rejects.toThrow('--models and --clear-models contradict each other');
    await keys('revoke', id);
    await expect(keys('update', id, '--rps', '1')).rejects.toThrow(`client key ${id} is revoked; create a new key instead`);
  });

  it('offers the update flags, including every --clear-<field>', async () => {
    const text = (await invoke(['keys', 'update', '--help'])).out.join('\n');
    for (const flag of ['--models', '--providers', '--routes', '--ips', '--expires', '--rps', '--burst', '--monthly-tokens', '--max-tokens', '--enable', '--disable', '--clear-ips', '--clear-monthly-tokens']) {
      expect(text).toContain(flag);
    }
  });
});
