import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ClientKeyPatch, ClientKeyRecord, ClientKeyStore, NewClientKeyRecord } from '../ports.ts';
import type { ClientKeysTable, Database } from './database.ts';

/** Every column, in the order dialect fast paths select them (kept here so a new column is added in one place). */
export const CLIENT_KEY_COLUMNS = [
  'id', 'name', 'prefix', 'hash', 'created_at', 'revoked_at', 'updated_at', 'owner', 'models', 'providers', 'routes', 'ips',
  'expires_at', 'rps', 'burst', 'monthly_tokens', 'max_tokens', 'disabled_at',
] as const satisfies readonly (keyof ClientKeysTable)[];

/** ClientKeyStore over any Kysely SQL dialect. */
export class SqlClientKeyStore implements ClientKeyStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Row → record; shared with dialect-specific fast paths. PostgreSQL drivers may return BIGINT as a string. */
  static toRecord(row: Selectable<ClientKeysTable>): ClientKeyRecord {
    return {
      id: row.id,
      name: row.name,
      prefix: row.prefix,
      hash: row.hash,
      createdAt: new Date(Number(row.created_at)),
      revokedAt: toDate(row.revoked_at),
      updatedAt: new Date(Number(row.updated_at ?? row.created_at)),
      owner: row.owner,
      models: fromJsonList(row.models),
      providers: fromJsonList(row.providers),
      routes: fromJsonList(row.routes),
      ips: fromJsonList(row.ips),
      expiresAt: toDate(row.expires_at),
      rps: toNumber(row.rps),
      burst: toNumber(row.burst),
      monthlyTokens: toNumber(row.monthly_tokens),
      maxTokens: toNumber(row.max_tokens),
      disabledAt: toDate(row.disabled_at),
    };
  }

  async insert(record: NewClientKeyRecord): Promise<void> {
    await this.#db
      .insertInto('client_keys')
      .values({
        id: record.id,
        name: record.name,
        prefix: record.prefix,
        hash: record.hash,
        created_at: record.createdAt.getTime(),
        revoked_at: record.revokedAt?.getTime() ?? null,
        updated_at: (record.updatedAt ?? record.createdAt).getTime(),
        owner: record.owner ?? null,
        models: toJsonList(record.models ?? null),
        providers: toJsonList(record.providers ?? null),
        routes: toJsonList(record.routes ?? null),
        ips: toJsonList(record.ips ?? null),
        expires_at: record.expiresAt?.getTime() ?? null,
        rps: record.rps ?? null,
        burst: record.burst ?? null,
        monthly_tokens: record.monthlyTokens ?? null,
        max_tokens: record.maxTokens ?? null,
        disabled_at: record.disabledAt?.getTime() ?? null,
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
      .set({ revoked_at: at.getTime(), updated_at: at.getTime() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    return true;
  }

  async update(id: string, patch: ClientKeyPatch): Promise<ClientKeyRecord | undefined> {
    const result = await this.#db.updateTable('client_keys').set(toColumns(patch)).where('id', '=', id).executeTakeFirst();
    if (result.numUpdatedRows === 0n) return undefined;
    return this.findById(id);
  }

  async count(): Promise<number> {
    const row = await this.#db
      .selectFrom('client_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** Only the fields present in the patch become columns to set: absent means "leave as is", null means "clear". */
function toColumns(patch: ClientKeyPatch): Updateable<ClientKeysTable> {
  const set: Updateable<ClientKeysTable> = { updated_at: patch.updatedAt.getTime() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.owner !== undefined) set.owner = patch.owner;
  if (patch.models !== undefined) set.models = toJsonList(patch.models);
  if (patch.providers !== undefined) set.providers = toJsonList(patch.providers);
  if (patch.routes !== undefined) set.routes = toJsonList(patch.routes);
  if (patch.ips !== undefined) set.ips = toJsonList(patch.ips);
  if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt?.getTime() ?? null;
  if (patch.rps !== undefined) set.rps = patch.rps;
  if (patch.burst !== undefined) set.burst = patch.burst;
  if (patch.monthlyTokens !== undefined) set.monthly_tokens = patch.monthlyTokens;
  if (patch.maxTokens !== undefined) set.max_tokens = patch.maxTokens;
  if (patch.disabledAt !== undefined) set.disabled_at = patch.disabledAt?.getTime() ?? null;
  return set;
}

function toDate(ms: number | string | null): Date | null {
  return ms === null ? null : new Date(Number(ms));
}

function toNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

function toJsonList(list: readonly string[] | null): string | null {
  return list === null ? null : JSON.stringify(list);
}

/**
 * A stored scope list. NULL means unrestricted; anything unreadable (a hand-edited or corrupt row) becomes an empty
 * list, which allows nothing: a damaged scope must not silently turn into "everything".
 */
function fromJsonList(text: string | null): readonly string[] | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return value;
  } catch {
    // fall through to the closed default
  }
  return [];
}
