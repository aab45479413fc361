import BetterSqlite3 from 'better-sqlite3';
import { chmodSync } from 'node:fs';

/** Thrown when the writer lock stays taken past the deadline (another writer hangs on a stuck disk). */
export class AuditLockTimeoutError extends Error {
  readonly code = 'LOCK_TIMEOUT';
  constructor() {
    super('the audit log is locked by another writer');
    this.name = 'AuditLockTimeoutError';
  }
}

/**
 * The cross-process writer lock: `rampart serve` and CLI commands append to one chain, so exactly one of them may
 * append at a time. SQLite's RESERVED lock on an otherwise empty database file is a POSIX lock the kernel releases
 * when its holder dies, so a crash never leaves a stale lock behind (unlike a pid file). busy_timeout is 0 and the
 * wait is a timer loop: a blocking wait would freeze the event loop of the server.
 */
export class AuditLock {
  readonly #db: BetterSqlite3.Database;
  #held = false;

  constructor(file: string) {
    this.#db = new BetterSqlite3(file);
    chmodSync(file, 0o600);
    this.#db.pragma('busy_timeout = 0');
    // Nothing is ever written here; a journal file is still created on BEGIN in the default mode, which fails on a
    // full disk. In memory, taking the lock needs no free space.
    this.#db.pragma('journal_mode = MEMORY');
  }

  /** Waits for the lock until `deadline` (epoch ms), polling every few ms. */
  async acquire(deadline: number): Promise<void> {
    if (this.#held) throw new Error('audit lock acquired twice');
    let delay = 1;
    for (;;) {
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        this.#held = true;
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      }
      if (Date.now() >= deadline) throw new AuditLockTimeoutError();
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 20);
    }
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#db.exec('ROLLBACK');
  }

  get held(): boolean {
    return this.#held;
  }

  close(): void {
    this.release();
    this.#db.close();
  }
}
