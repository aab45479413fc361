import { chmod, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileExclusive, ensurePrivateFile, readOrCreateSecret, removeDurable, renameDurable, writeFileAtomic } from './secure-file.ts';

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

describe('atomic writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-atomic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writeFileAtomic replaces content with a 0600 file and leaves no temporary file', async () => {
    const file = path.join(dir, 'sub', 'key');
    await writeFileAtomic(file, 'one\n');
    await writeFileAtomic(file, 'two\n');
    expect(await readFile(file, 'utf8')).toBe('two\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(path.dirname(file))).toEqual(['key']);
  });

  it('createFileExclusive creates once; a second writer gets false and the first content stays', async () => {
    const file = path.join(dir, 'key');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((text) => createFileExclusive(file, text)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(['a', 'b', 'c', 'd']).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['key']);
  });

  it('renameDurable and removeDurable say whether the source existed', async () => {
    const from = path.join(dir, 'key.next');
    const to = path.join(dir, 'key');
    await writeFileAtomic(from, 'next');
    expect(await renameDurable(from, to)).toBe(true);
    expect(await renameDurable(from, to)).toBe(false);
    expect(await readFile(to, 'utf8')).toBe('next');
    expect(await removeDurable(to)).toBe(true);
    expect(await removeDurable(to)).toBe(false);
  });

  it('ensurePrivateFile creates an empty 0600 file and tightens an existing one', async () => {
    const file = path.join(dir, 'db');
    await ensurePrivateFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await chmod(file, 0o644);
    await ensurePrivateFile(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
