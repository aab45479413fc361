import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import type { Storage } from '../storage/ports.ts';
import { openStorage } from '../storage/open-storage.ts';
import { EncryptedCredentialVault } from './encrypted-credential-vault.ts';
import { VaultDecryptError } from './vault-errors.ts';
import { parseVaultKey } from './vault-key.ts';
import { rotateVaultKey } from './vault-rotation.ts';

const newKeyText = () => randomBytes(32).toString('base64');

describe('EncryptedCredentialVault', () => {
  let dir: string;
  let storage: Storage;
  let keyText: string;
  const notices: string[] = [];

  const open = (env: Record<string, string> = { RAMPART_VAULT_KEY: keyText }) =>
    EncryptedCredentialVault.open({ store: storage.vault, env, keyFile: path.join(dir, 'vault.key'), allowGenerate: true, notice: (l) => notices.push(l) });
  /** Raw access to the database, as an attacker with the file (or a restored backup) has it. */
  const raw = () => new BetterSqlite3(path.join(dir, 'rampart.db'));
  const blobOf = (id: string): string => {
    const db = raw();
    try {
      return (db.prepare('select blob from vault_credentials where id = ?').get(id) as { blob: string }).blob;
    } finally {
      db.close();
    }
  };
  const setBlob = (id: string, blob: string, keyVersion?: number) => {
    const db = raw();
    try {
      if (keyVersion === undefined) db.prepare('update vault_credentials set blob = ? where id = ?').run(blob, id);
      else db.prepare('update vault_credentials set blob = ?, key_version = ? where id = ?').run(blob, keyVersion, id);
    } finally {
      db.close();
    }
  };
  /** Flips one bit of the decoded blob at `offset` (negative: from the end). */
  const flipBit = (blob: string, offset: number) => {
    const bytes = Buffer.from(blob, 'base64');
    const at = offset < 0 ? bytes.length + offset : offset;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    return bytes.toString('base64');
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-vault-'));
    storage = await openStorage(dir);
    keyText = newKeyText();
    notices.length = 0;
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips API keys and OAuth tokens, lists no secret, and stores no plaintext', async () => {
    const vault = await open();
    const apiKey = `sk-roundtrip-${randomBytes(8).toString('hex')}`;
    const added = await vault.add({ providerId: 'openai', label: 'team A', secret: { kind: 'api_key', apiKey } });
    expect(added.id).toMatch(/^cred_[0-9a-f]{18}$/);
    const tokens = { accessToken: 'at-123', refreshToken: 'rt-456', expiresAt: 1_900_000_000_000 };
    await vault.add({ id: 'claude-login', providerId: 'claude', meta: { email: 'a@example.com' }, secret: { kind: 'oauth', oauth: 'claude', tokens } });
    expect(await vault.readSecret(added.id)).toEqual({ kind: 'api_key', apiKey });
    expect(await vault.readSecret('claude-login')).toEqual({ kind: 'oauth', oauth: 'claude', tokens });
    const listed = await vault.list();
    expect(listed.map((c) => [c.id, c.providerId, c.kind, c.keyVersion])).toEqual([
      ['claude-login', 'claude', 'oauth', 1],
      [added.id, 'openai', 'api_key', 1],
    ]);
    expect(JSON.stringify(listed)).not.toContain(apiKey);
    expect(JSON.stringify(listed)).not.toContain('rt-456');
    // Two writes of the same secret never share a nonce or a ciphertext.
    await vault.add({ id: 'same', providerId: 'openai', secret: { kind: 'api_key', apiKey } });
    expect(blobOf('same')).not.toBe(blobOf(added.id));
    expect(Buffer.from(blobOf('same'), 'base64').subarray(0, 12)).not.toEqual(Buffer.from(blobOf(added.id), 'base64').subarray(0, 12));
    await storage.close();
    const files = await Promise.all(['rampart.db', 'rampart.db-wal'].map((f) => readFile(path.join(dir, f)).catch(() => Buffer.alloc(0))));
    for (const bytes of files) {
      expect(bytes.includes(apiKey)).toBe(false);
      expect(bytes.includes(Buffer.from(apiKey).toString('base64'))).toBe(false);
      expect(bytes.includes('rt-456')).toBe(false);
    }
    storage = await openStorage(dir);
  });

  it('replaces a secret in place and removes credentials', async () => {
    const vault = await open();
    await vault.add({ id: 'c1', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-old' } });
    const before = await vault.get('c1');
    await vault.replaceSecret('c1', { kind: 'api_key', apiKey: 'sk-new' }, { note: 'rotated' });
    expect(await vault.readSecret('c1')).toEqual({ kind: 'api_key', apiKey: 'sk-new' });
    const after = await vault.get('c1');
    expect(after?.meta).toEqual({ note: 'rotated' });
    expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    expect(await vault.remove('c1')).toBe(true);
    expect(await vault.remove('c1')).toBe(false);
    await expect(vault.readSecret('c1')).rejects.toThrow(/no credential with id "c1"/);
    await expect(vault.replaceSecret('c1', { kind: 'api_key', apiKey: 'x' })).rejects.toThrow(/no credential with id "c1"/);
  });

  it('refuses bad input with clear errors that never quote the secret', async () => {
    const vault = await open();
    await vault.add({ id: 'dup', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-1' } });
    await expect(vault.add({ id: 'dup', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-2' } })).rejects.toThrow(/already exists/);
    await expect(vault.add({ id: 'bad id', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-2' } })).rejects.toThrow(/credential id must be/);
    await expect(vault.add({ providerId: 'Bad!', secret: { kind: 'api_key', apiKey: 'sk-2' } })).rejects.toThrow(/provider id must be/);
    const spaced = 'sk with spaces secret';
    const error = await vault.add({ providerId: 'openai', secret: { kind: 'api_key', apiKey: spaced } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/printable ASCII/);
    expect((error as Error).message).not.toContain(spaced);
  });

  describe('tampering is detected, never decrypted to garbage', () => {
    const secretOf = async (vault: EncryptedCredentialVault, id: string) => vault.readSecret(id).then(() => 'decrypted', (e: unknown) => e);

    it.each([
      ['a bit of the nonce', 0],
      ['a bit of the ciphertext', 20],
      ['a bit of the tag', -1],
    ])('flipping %s', async (_what, offset) => {
      const vault = await open();
      await vault.add({ id: 'victim', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-victim-key' } });
      setBlob('victim', flipBit(blobOf('victim'), offset));
      const error = await secretOf(vault, 'victim');
      expect(error).toBeInstanceOf(VaultDecryptError);
      expect((error as Error).message).toMatch(/^credential "victim" cannot be decrypted: the blob failed authentication/);
    });

    it('a blob swapped between two records fails for both', async () => {
      const vault = await open();
      await vault.add({ id: 'one', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-one' } });
      await vault.add({ id: 'two', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-two' } });
      const [a, b] = [blobOf('one'), blobOf('two')];
      setBlob('one', b);
      setBlob('two', a);
      expect(String(await secretOf(vault, 'one'))).toMatch(/credential "one" cannot be decrypted/);
      expect(String(await secretOf(vault, 'two'))).toMatch(/credential "two" cannot be decrypted/);
      // Every other credential still reads: one bad blob spoils nothing else.
      await vault.add({ id: 'three', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-three' } });
      const entries = await vault.entries();
      expect(entries.map((e) => [e.credential.id, 'error' in e])).toEqual([
        ['one', true],
        ['two', true],
        ['three', false],
      ]);
    });

    it('a truncated blob, an empty one and one that is not base64', async () => {
      const vault = await open();
      await vault.add({ id: 't', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-t' } });
      const bytes = Buffer.from(blobOf('t'), 'base64');
      setBlob('t', bytes.subarray(0, bytes.length - 5).toString('base64'));
      expect(String(await secretOf(vault, 't'))).toMatch(/credential "t" cannot be decrypted: the blob failed authentication/);
      setBlob('t', bytes.subarray(0, 20).toString('base64'));
      expect(String(await secretOf(vault, 't'))).toMatch(/credential "t" cannot be decrypted: the blob is truncated/);
      setBlob('t', '');
      expect(String(await secretOf(vault, 't'))).toMatch(/the blob is truncated/);
      setBlob('t', '%%%not base64%%%');
      expect(String(await secretOf(vault, 't'))).toMatch(/not valid base64/);
    });

    it('a blob moved to another provider fails (the provider is authenticated too)', async () => {
      const vault = await open();
      await vault.add({ id: 'm', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-m' } });
      const db = raw();
      db.prepare("update vault_credentials set provider_id = 'evil' where id = 'm'").run();
      db.close();
      expect(String(await secretOf(vault, 'm'))).toMatch(/credential "m" cannot be decrypted/);
    });
  });

  it('a wrong key is refused at open, naming the key version', async () => {
    const vault = await open();
    await vault.add({ id: 'w', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-w' } });
    await expect(open({ RAMPART_VAULT_KEY: newKeyText() })).rejects.toThrow('RAMPART_VAULT_KEY does not open vault key version 1');
    await expect(open({})).rejects.toThrow(/holds 1 credential\(s\) under key version 1 but no key was found/);
  });

  it('after a rotation the new key reads everything, the old key and restored old blobs are refused as retired', async () => {
    const vault = await open();
    for (let i = 0; i < 5; i++) await vault.add({ id: `r${i}`, providerId: 'openai', secret: { kind: 'api_key', apiKey: `sk-r${i}` } });
    const oldBlob = blobOf('r0');
    const audit = new MemoryAuditLog();
    const next = newKeyText();
    const progress: number[] = [];
    const result = await rotateVaultKey({
      keyring: { store: storage.vault, env: { RAMPART_VAULT_KEY: keyText }, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} },
      newKey: parseVaultKey(next, 'test'),
      audit,
      onProgress: (done) => progress.push(done),
    });
    expect(result).toMatchObject({ fromVersion: 1, toVersion: 2, reencrypted: 5 });
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(audit.events.map((e) => [e.type, e.outcome])).toEqual([['vault_rotated', 'success']]);
    const rotated = await open({ RAMPART_VAULT_KEY: next });
    for (let i = 0; i < 5; i++) expect(await rotated.readSecret(`r${i}`)).toEqual({ kind: 'api_key', apiKey: `sk-r${i}` });
    expect((await rotated.list()).every((c) => c.keyVersion === 2)).toBe(true);
    await expect(open()).rejects.toThrow(/RAMPART_VAULT_KEY opens vault key version 1, which a rotation retired; the vault is on version 2/);
    // A blob restored from a backup taken before the rotation.
    setBlob('r0', oldBlob, 1);
    await expect(rotated.readSecret('r0')).rejects.toThrow('credential "r0" cannot be decrypted: it is encrypted under retired key version 1');
    // Reusing a key is refused.
    await expect(
      rotateVaultKey({
        keyring: { store: storage.vault, env: { RAMPART_VAULT_KEY: next }, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} },
        newKey: parseVaultKey(keyText, 'test'),
      }),
    ).rejects.toThrow(/the new key is vault key version 1/);
  });

  it('a rotation that meets an undecryptable credential changes nothing', async () => {
    const vault = await open();
    await vault.add({ id: 'ok', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-ok' } });
    await vault.add({ id: 'broken', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-broken' } });
    setBlob('broken', flipBit(blobOf('broken'), 15));
    const okBlob = blobOf('ok');
    const keyring = { store: storage.vault, env: { RAMPART_VAULT_KEY: keyText }, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} };
    await expect(rotateVaultKey({ keyring, newKey: parseVaultKey(newKeyText(), 'test') })).rejects.toThrow(/credential "broken" cannot be decrypted.*nothing was rotated/);
    expect(blobOf('ok')).toBe(okBlob);
    expect((await storage.vault.keyVersions()).map((v) => [v.version, v.retiredAt])).toEqual([[1, null]]);
    expect(await vault.readSecret('ok')).toEqual({ kind: 'api_key', apiKey: 'sk-ok' });
  });

  it('an audit log that cannot write refuses the rotation', async () => {
    const vault = await open();
    await vault.add({ id: 'a', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-a' } });
    const audit = new MemoryAuditLog();
    audit.recordDurable = () => Promise.reject(new Error('audit down'));
    const keyring = { store: storage.vault, env: { RAMPART_VAULT_KEY: keyText }, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} };
    await expect(rotateVaultKey({ keyring, newKey: parseVaultKey(newKeyText(), 'test'), audit })).rejects.toThrow('audit down');
    expect((await storage.vault.keyVersions()).length).toBe(1);
  });

  it('a process holding the old key writes again under the new one after a key-file rotation, and locks with an env key', async () => {
    // Key file mode: generated on first open, shown once.
    const server = await open({});
    expect(notices.join('\n')).toMatch(/generated vault key version 1/);
    await server.add({ id: 'f1', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-f1' } });
    const keyring = { store: storage.vault, env: {}, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} };
    await rotateVaultKey({ keyring, newKey: parseVaultKey(newKeyText(), 'test') });
    // The "server" still holds version 1: its next write notices, reloads the key file and succeeds under version 2.
    await server.add({ id: 'f2', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-f2' } });
    expect((await server.get('f2'))?.keyVersion).toBe(2);
    expect(await server.readSecret('f1')).toEqual({ kind: 'api_key', apiKey: 'sk-f1' });
    expect(server.status()).toBe('unlocked');
  });

  it('an environment key cannot follow a rotation: the vault reports itself locked and refuses writes', async () => {
    const server = await open();
    await server.add({ id: 'e1', providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-e1' } });
    const keyring = { store: storage.vault, env: { RAMPART_VAULT_KEY: keyText }, keyFile: path.join(dir, 'vault.key'), allowGenerate: false, notice: () => {} };
    await rotateVaultKey({ keyring, newKey: parseVaultKey(newKeyText(), 'test') });
    expect(await server.refreshKey()).toBe('locked');
    expect(server.lockReason()).toMatch(/retired.*restart with the new key/);
    await expect(server.add({ providerId: 'openai', secret: { kind: 'api_key', apiKey: 'sk-x' } })).rejects.toThrow(/the vault is locked/);
    await expect(server.readSecret('e1')).rejects.toThrow(/key version 2, and this process holds the key of version 1/);
  });
});
