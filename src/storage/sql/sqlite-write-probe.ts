import type BetterSqlite3 from 'better-sqlite3';

/** The database file's application id ("RAMP"): identifies the file, and rewriting it is the write probe. */
export const RAMPART_APPLICATION_ID = 0x52414d50;

/** busy_timeout while probing: a probe must not hold the event loop for the usual 5 s behind another writer. */
const PROBE_BUSY_TIMEOUT_MS = 250;

/**
 * A real, durable write that changes nothing: rewriting the header's application id is a committed transaction
 * (a WAL frame, fsync'd under synchronous=FULL), so a full disk, a read-only file or a lost lock fails it, while no
 * table grows. Skipped while a transaction of this connection is open: the probe would join it.
 */
export function sqliteWriteProbe(sqlite: BetterSqlite3.Database): () => Promise<void> {
  return () => {
    if (sqlite.inTransaction) return Promise.resolve();
    const busy = sqlite.pragma('busy_timeout', { simple: true }) as number;
    sqlite.pragma(`busy_timeout = ${PROBE_BUSY_TIMEOUT_MS}`);
    try {
      sqlite.pragma(`application_id = ${RAMPART_APPLICATION_ID}`);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error('write probe failed'));
    } finally {
      sqlite.pragma(`busy_timeout = ${busy}`);
    }
  };
}
