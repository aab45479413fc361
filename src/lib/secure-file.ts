import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
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
  await createFileExclusive(file, randomBytes(size));
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

/** A temporary sibling of `file` that no other writer picks (same folder, so rename/link stay atomic). */
function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Writes `data` to a new 0600 file and makes it durable before returning. */
async function writeSynced(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes a rename, link or unlink in `dir` durable: without syncing the folder, a power cut right after can bring the
 * old name back even though the file's own bytes were synced.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `data` atomically (mode 0600): temp file + fsync + rename + fsync of the folder. A reader sees the
 * old content or the new one, never a mix, and after a crash the file holds one of the two.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  const temp = tempName(file);
  try {
    await writeSynced(temp, data);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(path.dirname(file));
}

/**
 * Creates `file` with `data` (mode 0600) only if it does not exist yet, atomically: temp file + fsync + link (which
 * fails on an existing target) + fsync of the folder. Returns false when another writer got there first.
 */
export async function createFileExclusive(file: string, data: string | Uint8Array): Promise<boolean> {
  await ensurePrivateDir(path.dirname(file));
  const temp = tempName(file);
  let created = true;
  try {
    await writeSynced(temp, data);
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDir(path.dirname(file));
  return created;
}

/** Renames `from` to `to` (replacing it) and syncs the folder; false when `from` no longer exists. */
export async function renameDurable(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDir(path.dirname(to));
  return true;
}

/** Removes `file` durably; false when it did not exist. */
export async function removeDurable(file: string): Promise<boolean> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDir(path.dirname(file));
  return true;
}

/**
 * Creates `file` empty with mode 0600 when absent and forces 0600 on it either way, so a program that opens it next
 * (e.g. SQLite) never creates it with the process umask's looser default.
 */
export async function ensurePrivateFile(file: string): Promise<void> {
  await ensurePrivateDir(path.dirname(file));
  const handle = await open(file, 'a', 0o600);
  await handle.close();
  await chmod(file, 0o600);
}

/** Reads a file, or undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<Buffer | undefined> {
  return readIfExists(file);
}
