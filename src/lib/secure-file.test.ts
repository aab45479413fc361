import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOrCreateSecret } from './secure-file.ts';

describe('readOrCreateSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 0600 secret in a 0700 folder and returns the same bytes afterwards', async () => {
    const file = path.join(dir, 'nested', 'pepper');
    const first = await readOrCreateSecret(file);
    expect(first).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await readOrCreateSecret(file)).equals(first)).toBe(true);
  });

  it('agrees on one secret when many callers race to create it', async () => {
    const file = path.join(dir, 'pepper');
    const results = await Promise.all(Array.from({ length: 20 }, () => readOrCreateSecret(file)));
    const onDisk = await readFile(file);
    for (const secret of results) expect(secret.equals(onDisk)).toBe(true);
  });

  it('refuses a secret file of the wrong size', async () => {
    const file = path.join(dir, 'pepper');
    await readOrCreateSecret(file, 16);
    await expect(readOrCreateSecret(file, 32)).rejects.toThrow(/corrupt/);
  });
});
