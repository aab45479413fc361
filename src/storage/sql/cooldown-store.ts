import { type Kysely, type Selectable, sql } from 'kysely';
import type { CooldownRecord, CooldownStore } from '../ports.ts';

/**
 * The `cooldowns` table as Kysely sees it. Declared here rather than in database.ts so this store can be added
 * without touching the shared schema type; `Kysely#withTables` joins it to a connection.
 */
export interface CooldownsTable {
  credential_id: string;
  model: string;
  /** Epoch ms; PostgreSQL drivers may return BIGINT as a string, hence the Number() on read. */
  until: number;
  kind: string;
  failures: number;
}

/** The tables this store uses (a type alias: `withTables` needs an index-compatible type, which interfaces are not). */
export type CooldownTables = { cooldowns: CooldownsTable };

/** CooldownStore over any Kysely SQL dialect. Writes are rare (only on upstream failures), so no fast path. */
export class SqlCooldownStore implements CooldownStore {
  readonly #db: Kysely<CooldownTables>;

  constructor(db: Kysely<CooldownTables>) {
    this.#db = db;
  }

  async list(): Promise<CooldownRecord[]> {
    const rows = await this.#db.selectFrom('cooldowns').selectAll().orderBy('credential_id').orderBy('model').execute();
    return rows.map(toRecord);
  }

  async upsert(record: CooldownRecord): Promise<void> {
    const values = { until: record.until.getTime(), kind: record.kind, failures: record.failures };
    await this.#db
      .insertInto('cooldowns')
      .values({ credential_id: record.credentialId, model: record.model, ...values })
      .onConflict((oc) => oc.columns(['credential_id', 'model']).doUpdateSet(values))
      .execute();
  }

  async remove(credentialId: string, model: string): Promise<void> {
    await this.#db.deleteFrom('cooldowns').where('credential_id', '=', credentialId).where('model', '=', model).execute();
  }

  async removeAll(credentialIdPrefix?: string): Promise<number> {
    let query = this.#db.deleteFrom('cooldowns');
    if (credentialIdPrefix !== undefined) {
      // Not LIKE: SQLite's LIKE ignores ASCII case and `%`/`_` in ids would be wildcards. The database measures the
      // prefix itself because it counts characters where JavaScript counts UTF-16 units.
      const prefix = sql<string>`cast(${credentialIdPrefix} as text)`;
      query = query.where(sql<boolean>`substr(credential_id, 1, length(${prefix})) = ${prefix}`);
    }
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRecord(row: Selectable<CooldownsTable>): CooldownRecord {
  return {
    credentialId: row.credential_id,
    model: row.model,
    until: new Date(Number(row.until)),
    kind: row.kind,
    failures: Number(row.failures),
  };
}
