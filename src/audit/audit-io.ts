import { type FileHandle, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type AuditPaths, ensureAuditDir } from './audit-files.ts';

/**
 * The file operations of the audit writer. An interface so tests can inject a sink that fails or hangs; the
 * writer never calls fs itself.
 */
export interface AuditFileIo {
  /** Current size of audit.jsonl in bytes. */
  size(): Promise<number>;
  /** Bytes [position, position + length) of audit.jsonl (fewer at the end of the file). */
  read(position: number, length: number): Promise<Buffer>;
  /** Writes `data` at `position` and fsyncs: resolves only once the bytes are durable. */
  append(data: Buffer, position: number): Promise<void>;
  /** Cuts audit.jsonl back to `size` bytes (an undone batch) and fsyncs. */
  truncate(size: number): Promise<void>;
  /** The head file's text, or undefined when there is none. */
  readHead(): Promise<string | undefined>;
  /** Replaces the head file atomically: temp file, fsync, rename, fsync of the folder. */
  writeHead(text: string): Promise<void>;
  /** Keeps bytes cut from the log (a torn tail) in a side file (0600) of the audit folder; returns its name. */
  saveAside(suffix: string, data: Buffer): Promise<string>;
  close(): Promise<void>;
}

/** The real files. audit.jsonl is opened once (created 0600) and written at explicit offsets. */
export class NodeAuditFileIo implements AuditFileIo {
  readonly #paths: AuditPaths;
  readonly #handle: FileHandle;

  private constructor(paths: AuditPaths, handle: FileHandle) {
    this.#paths = paths;
    this.#handle = handle;
  }

  static async open(paths: AuditPaths): Promise<NodeAuditFileIo> {
    await ensureAuditDir(paths.dir);
    // 'a+' would force every write to the end (O_APPEND ignores positions); 'r+' after an exclusive create does not.
    try {
      await (await open(paths.log, 'wx', 0o600)).close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const handle = await open(paths.log, 'r+');
    await handle.chmod(0o600);
    return new NodeAuditFileIo(paths, handle);
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.#handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  }

  async append(data: Buffer, position: number): Promise<void> {
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.#handle.write(data, written, data.length - written, position + written);
      if (bytesWritten === 0) throw Object.assign(new Error('short write to the audit log'), { code: 'EIO' });
      written += bytesWritten;
    }
    await this.#handle.sync();
  }

  async truncate(size: number): Promise<void> {
    await this.#handle.truncate(size);
    await this.#handle.sync();
  }

  async readHead(): Promise<string | undefined> {
    try {
      return await readFile(this.#paths.head, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async writeHead(text: string): Promise<void> {
    const temp = `${this.#paths.head}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, this.#paths.head);
    // After the rename the new head is in place; syncing the folder only hardens it against a power cut, so a
    // failure here must not undo a batch the head already names.
    try {
      const dir = await open(this.#paths.dir, 'r');
      await dir.sync().finally(() => dir.close());
    } catch {
      // best effort, see above
    }
  }

  async saveAside(suffix: string, data: Buffer): Promise<string> {
    const name = `${path.basename(this.#paths.log)}.${suffix}`;
    await writeFile(path.join(this.#paths.dir, name), data, { mode: 0o600, flag: 'wx' });
    return name;
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}
