import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '../storage/ports.ts';
import { openStorage } from '../storage/open-storage.ts';
import { keyCheckValue, parseVaultKey } from './vault-key.ts';
import { type KeyringOptions, pendingKeyFile, unlockVaultKey } from './vault-keyring.ts';

describe('unlockVaultKey', () => {
  let dir: string;
  let storage: Storage;
  let keyFile: string;
  const notices: string[] = [];
  const options = (extra: Partial<KeyringOptions> = {}): KeyringOptions => ({
    store: storage.vault,
    env: {},
    keyFile,
    allowGenerate: true,
    notice: (line) => notices.push(line),
    ...extra,
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-keyring-'));
    storage = await openStorage(dir);
    keyFile = path.join(dir, 'vault.key');
    notices.length = 0;
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a key on a first start: written 0600, shown once, the same key on the next start', async () => {
    const first = await unlockVaultKey(options());
    expect(first.version).toBe(1);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const text = (await readFile(keyFile, 'utf8')).trim();
    expect(notices.filter((l) => l.includes(text))).toHaveLength(1);
    expect(notices.join('\n')).toMatch(/store a copy somewhere safe/);
    notices.length = 0;
    const second = await unlockVaultKey(options());
    expect(keyCheckValue(second.key)).toBe(keyCheckValue(first.key));
    expect(notices).toEqual([]);
  });

  it('agrees on one key when many processes start at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => unlockVaultKey(options())));
    const checks = new Set(results.map((r) => keyCheckValue(r.key)));
    expect(checks.size).toBe(1);
    expect((await storage.vault.keyVersions()).length).toBe(1);
  });

  it('adopts RAMPART_VAULT_KEY on a first start without writing a key file', async () => {
    const text = randomBytes(32).toString('base64');
    const unlocked = await unlockVaultKey(options({ env: { RAMPART_VAULT_KEY: text } }));
    expect(unlocked.source).toEqual({ kind: 'env', name: 'RAMPART_VAULT_KEY' });
    await expect(stat(keyFile)).rejects.toThrow(/ENOENT/);
    expect(notices).toEqual([]);
    await expect(unlockVaultKey(options({ env: { RAMPART_VAULT_KEY: 'nonsense' } }))).rejects.toThrow(/RAMPART_VAULT_KEY is not a vault key/);
  });

  it('refuses a key file that does not open the current version, and a corrupt one', async () => {
    await unlockVaultKey(options());
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    await expect(unlockVaultKey(options())).rejects.toThrow(`the key in ${keyFile} does not open vault key version 1`);
    await writeFile(keyFile, 'garbage\n');
    await expect(unlockVaultKey(options())).rejects.toThrow(`key file ${keyFile} is not a vault key`);
  });

  it('finishes a key file swap that a crash interrupted after the commit', async () => {
    const first = await unlockVaultKey(options());
    // What a rotation leaves when killed right after its commit: version 2 current, its key only in `.next`.
    const next = randomBytes(32).toString('base64');
    await writeFile(pendingKeyFile(keyFile), `${next}\n`, { mode: 0o600 });
    const newKey = parseVaultKey(next, 'test');
    await storage.vault.rotate(1, { version: 2, checkValue: keyCheckValue(newKey), createdAt: new Date(), retiredAt: null }, () => 'unused');
    const unlocked = await unlockVaultKey(options());
    expect(unlocked.version).toBe(2);
    expect((await readFile(keyFile, 'utf8')).trim()).toBe(next);
    await expect(stat(pendingKeyFile(keyFile))).rejects.toThrow(/ENOENT/);
    expect(notices.join('\n')).toMatch(/finished an interrupted key rotation/);
    expect(keyCheckValue(unlocked.key)).not.toBe(keyCheckValue(first.key));
  });

  it('leaves a pending key of a rotation that never committed alone, and keeps using the current key', async () => {
    const first = await unlockVaultKey(options());
    await writeFile(pendingKeyFile(keyFile), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const again = await unlockVaultKey(options());
    expect(keyCheckValue(again.key)).toBe(keyCheckValue(first.key));
    expect(again.version).toBe(1);
  });

  it('a lost key of an empty vault starts a new key version instead of leaving the operator stuck', async () => {
    await unlockVaultKey(options());
    await rm(keyFile);
    notices.length = 0;
    const unlocked = await unlockVaultKey(options());
    expect(unlocked.version).toBe(2);
    expect(notices.join('\n')).toMatch(/no key was found for key version 1, and the vault holds no credentials: starting key version 2/);
    expect((await storage.vault.keyVersions()).map((v) => v.retiredAt === null)).toEqual([false, true]);
    await expect(unlockVaultKey(options({ allowGenerate: false, keyFile: path.join(dir, 'other.key') }))).rejects.toThrow(/but no key was found/);
  });
});
