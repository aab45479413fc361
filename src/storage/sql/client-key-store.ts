import type { Kysely, Selectable } from 'kysely';
import type { ClientKeyRecord, ClientKeyStore } from '../ports.ts';
import type { ClientKeysTable, Database } from './database.ts';

/** ClientKeyStore over any Kysely SQL dialect. */
export class SqlClientKeyStore implements ClientKeyStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Row → record; shared with dialect-specific fast paths. */
  static toRecord(row: Selectable<ClientKeysTable>): ClientKeyRecord {
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      hash: row.hash,
      createdAt: new Date(Number(row.created_at)),
      revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
    };
  }

  async insert(record: ClientKeyRecord): Promise<void> {
    await this.#db
      .insertInto('client_keys')
      .values({
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        hash: record.hash,
        created_at: record.createdAt.getTime(),
        revoked_at: record.revokedAt?.getTime() ?? null,
      })
      .execute();
  }

  async list(): Promise<ClientKeyRecord[]> {
    const rows = await this.#db.selectFrom('client_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => SqlClientKeyStore.toRecord(row));
  }

  async findById(id: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.#db.selectFrom('client_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && SqlClientKeyStore.toRecord(row);
  }

  async findByHash(hash: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.#db.selectFrom('client_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && SqlClientKeyStore.toRecord(row);
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const existing = await this.findById(id);
    if (!existing) return false;
    await this.#db
      .updateTable('client_keys')
      .set({ revoked_at: at.getTime() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return true;
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('client_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
