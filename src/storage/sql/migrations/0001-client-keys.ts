import type { Kysely } from 'kysely';

/** Client keys: only the HMAC of each key is kept; `hash` is unique so lookups are one index probe. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('client_keys').execute();
}
