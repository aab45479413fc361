import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Creates `dir` (and parents) readable only by the owner. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Reads a secret file, creating it with `size` random bytes (mode 0600) when absent. The secret is written to a
 * temporary file, synced, then hard-linked into place: link() fails if the target exists, so two processes starting at
 * once (e.g. `serve` and `keys create`) agree on one secret and neither ever reads a half-written file.
 */
export async function readOrCreateSecret(file: string, size = 32): Promise<Buffer> {
  await ensurePrivateDir(path.dirname(file));
  const existing = await readIfExists(file);
  if (existing) return checkSize(file, existing, size);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(randomBytes(size));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  return checkSize(file, await readFile(file), size);
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function checkSize(file: string, secret: Buffer, size: number): Buffer {
  if (secret.length !== size) throw new Error(`secret file ${file} is corrupt (expected ${size} bytes, found ${secret.length})`);
  return secret;
}
