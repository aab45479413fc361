import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';

/**
 * A batch insert into one SQLite table through a statement prepared once: for the tables written on behalf of every
 * proxied request (usage, the audit table), where building the SQL of each multi-row INSERT cost more than the
 * insert. The rows go in one transaction (one commit, one fsync). It runs while holding Kysely's connection, so it
 * can never interleave with a Kysely transaction on the same connection.
 */
export function sqliteBatchInsert<Row extends object>(
  db: Kysely<unknown>,
  sqlite: BetterSqlite3.Database,
  table: string,
  columns: readonly (keyof Row & string)[],
  conflict: 'fail' | 'ignore' = 'fail',
): (rows: readonly Row[]) => Promise<void> {
  const verb = conflict === 'ignore' ? 'insert or ignore' : 'insert';
  const statement = sqlite.prepare(`${verb} into ${table} (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  const insertAll = sqlite.transaction((rows: readonly Row[]) => {
    for (const row of rows) statement.run(columns.map((column) => row[column] as unknown));
  });
  return (rows) => (rows.length === 0 ? Promise.resolve() : db.connection().execute(() => Promise.resolve(insertAll(rows))));
}
