import type { Kysely, Selectable } from 'kysely';
import type { IpBlockRecord, IpBlockStore } from '../ports.ts';

/** The `ip_blocks` table as Kysely sees it. Times are epoch ms. */
export interface IpBlocksTable {
  ip: string;
  until: number;
  reason: string;
  created_at: number;
  created_by: string;
}

/** The tables this store uses (a type alias: `withTables` needs an index-compatible type). */
export type IpBlockTables = { ip_blocks: IpBlocksTable };

/** IpBlockStore over any Kysely SQL dialect. Rare writes (a block, a lift); servers re-read the table every few seconds. */
export class SqlIpBlockStore implements IpBlockStore {
  readonly #db: Kysely<IpBlockTables>;

  constructor(db: Kysely<IpBlockTables>) {
    this.#db = db;
  }

  async list(): Promise<IpBlockRecord[]> {
    const rows = await this.#db.selectFrom('ip_blocks').selectAll().orderBy('ip').execute();
    return rows.map(toRecord);
  }

  async upsert(record: IpBlockRecord): Promise<void> {
    const values = { until: record.until.getTime(), reason: record.reason, created_at: record.createdAt.getTime(), created_by: record.createdBy };
    await this.#db
      .insertInto('ip_blocks')
      .values({ ip: record.ip, ...values })
      .onConflict((oc) => oc.column('ip').doUpdateSet(values))
      .execute();
  }

  async remove(ip: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('ip_blocks').where('ip', '=', ip).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async removeExpired(now: Date): Promise<number> {
    const result = await this.#db.deleteFrom('ip_blocks').where('until', '<=', now.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRecord(row: Selectable<IpBlocksTable>): IpBlockRecord {
  return {
    ip: row.ip,
    until: new Date(Number(row.until)),
    reason: row.reason,
    createdAt: new Date(Number(row.created_at)),
    createdBy: row.created_by,
  };
}
