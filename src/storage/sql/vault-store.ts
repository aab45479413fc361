import type { Kysely, Selectable, Transaction } from 'kysely';
import type { VaultCredentialRecord, VaultKeyRecord, VaultStore, VaultWriteResult } from '../ports.ts';

/** `vault_keys` as Kysely sees it (declared here, like the cooldowns table, and joined with `withTables`). */
export interface VaultKeysTable {
  version: number;
  check_value: string;
  /** Epoch ms; PostgreSQL drivers may return BIGINT as a string, hence Number() on read. */
  created_at: number;
  retired_at: number | null;
}

/** `vault_credentials` as Kysely sees it. */
export interface VaultCredentialsTable {
  id: string;
  provider_id: string;
  kind: string;
  label: string | null;
  meta: string;
  key_version: number;
  blob: string;
  created_at: number;
  updated_at: number;
}

/** The tables this store uses (a type alias: `withTables` needs an index-compatible type). */
export type VaultTables = { vault_keys: VaultKeysTable; vault_credentials: VaultCredentialsTable };

/** Rolls a transaction back when the key version it wrote under was retired meanwhile. */
class StaleKeyVersion extends Error {}

/**
 * VaultStore over any Kysely SQL dialect. Every write that depends on the current key version writes first and checks
 * the version after, inside one transaction: the first write takes the database's write lock, so a rotation cannot
 * commit between the check and the commit (and SQLite never has to upgrade a read lock, which fails under WAL).
 */
export class SqlVaultStore implements VaultStore {
  readonly #db: Kysely<VaultTables>;

  constructor(db: Kysely<VaultTables>) {
    this.#db = db;
  }

  async keyVersions(): Promise<VaultKeyRecord[]> {
    const rows = await this.#db.selectFrom('vault_keys').selectAll().orderBy('version').execute();
    return rows.map((row) => ({
      version: Number(row.version),
      checkValue: row.check_value,
      createdAt: new Date(Number(row.created_at)),
      retiredAt: row.retired_at === null ? null : new Date(Number(row.retired_at)),
    }));
  }

  async initKey(key: VaultKeyRecord): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const result = await tx
        .insertInto('vault_keys')
        .values(keyRow(key))
        .onConflict((oc) => oc.column('version').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
      const others = await tx.selectFrom('vault_keys').select('version').where('version', '!=', key.version).executeTakeFirst();
      // Someone else's history already existed under another number: this is not a first start after all.
      if (others !== undefined) throw new Error('the vault key history changed while it was being created; start again');
      return true;
    });
  }

  async list(): Promise<VaultCredentialRecord[]> {
    const rows = await this.#db.selectFrom('vault_credentials').selectAll().orderBy('provider_id').orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async get(id: string): Promise<VaultCredentialRecord | undefined> {
    const row = await this.#db.selectFrom('vault_credentials').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('vault_credentials').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insert(record: VaultCredentialRecord): Promise<VaultWriteResult> {
    return this.#underCurrentKey(record.keyVersion, async (tx) => {
      const result = await tx
        .insertInto('vault_credentials')
        .values({
          id: record.id,
          provider_id: record.providerId,
          kind: record.kind,
          label: record.label,
          meta: record.meta,
          key_version: record.keyVersion,
          blob: record.blob,
          created_at: record.createdAt.getTime(),
          updated_at: record.updatedAt.getTime(),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 0 ? 'duplicate' : 'ok';
    });
  }

  async update(
    id: string,
    change: Pick<VaultCredentialRecord, 'kind' | 'blob' | 'keyVersion' | 'updatedAt'> & { meta?: string },
  ): Promise<VaultWriteResult> {
    return this.#underCurrentKey(change.keyVersion, async (tx) => {
      const result = await tx
        .updateTable('vault_credentials')
        .set({
          kind: change.kind,
          blob: change.blob,
          key_version: change.keyVersion,
          updated_at: change.updatedAt.getTime(),
          ...(change.meta === undefined ? {} : { meta: change.meta }),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 0 ? 'not_found' : 'ok';
    });
  }

  async remove(id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('vault_credentials').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async rotate(
    fromVersion: number,
    newKey: VaultKeyRecord,
    reencrypt: (record: VaultCredentialRecord) => string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      // Written first: it takes the write lock, and a concurrent rotation to the same number fails on the key.
      await tx.insertInto('vault_keys').values(keyRow(newKey)).execute();
      const current = await tx.selectFrom('vault_keys').select('version').where('retired_at', 'is', null).where('version', '!=', newKey.version).execute();
      if (current.length !== 1 || Number(current[0]?.version) !== fromVersion) {
        throw new Error(`vault key version ${fromVersion} is no longer current (another rotation ran?); nothing was changed`);
      }
      const rows = (await tx.selectFrom('vault_credentials').selectAll().where('key_version', '=', fromVersion).orderBy('id').execute()).map(toRecord);
      let done = 0;
      for (const row of rows) {
        const blob = reencrypt(row);
        await tx.updateTable('vault_credentials').set({ blob, key_version: newKey.version }).where('id', '=', row.id).execute();
        onProgress?.(++done, rows.length);
      }
      await tx.updateTable('vault_keys').set({ retired_at: newKey.createdAt.getTime() }).where('version', '!=', newKey.version).where('retired_at', 'is', null).execute();
      return rows.length;
    });
  }

  /** Runs `write` in a transaction that rolls back with `stale_key` when `version` is not (or no longer) current. */
  async #underCurrentKey(version: number, write: (tx: Transaction<VaultTables>) => Promise<VaultWriteResult>): Promise<VaultWriteResult> {
    try {
      return await this.#db.transaction().execute(async (tx) => {
        const result = await write(tx);
        const key = await tx.selectFrom('vault_keys').select('retired_at').where('version', '=', version).executeTakeFirst();
        if (key === undefined || key.retired_at !== null) throw new StaleKeyVersion();
        return result;
      });
    } catch (error) {
      if (error instanceof StaleKeyVersion) return 'stale_key';
      throw error;
    }
  }
}

function keyRow(key: VaultKeyRecord): VaultKeysTable {
  return {
    version: key.version,
    check_value: key.checkValue,
    created_at: key.createdAt.getTime(),
    retired_at: key.retiredAt === null ? null : key.retiredAt.getTime(),
  };
}

function toRecord(row: Selectable<VaultCredentialsTable>): VaultCredentialRecord {
  return {
    id: row.id,
    providerId: row.provider_id,
    kind: row.kind,
    label: row.label,
    meta: row.meta,
    keyVersion: Number(row.key_version),
    blob: row.blob,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
