import type { Kysely } from 'kysely';

/**
 * The credential vault. `vault_keys` is the key history: one row per key version with a check value of the key (an
 * HMAC of a fixed label, which proves a key right or wrong at boot and reveals nothing of it) and when it was retired.
 * `vault_credentials` holds one AES-256-GCM blob per credential (base64 text, so the same migration serves SQLite and
 * PostgreSQL) plus the non-secret facts that are listed without decrypting. Times are epoch ms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vault_keys')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('check_value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .execute();
  await db.schema
    .createTable('vault_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('meta', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull().references('vault_keys.version'))
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // `vault status` counts credentials per key version.
  await db.schema.createIndex('vault_credentials_key_version').on('vault_credentials').column('key_version').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vault_credentials').execute();
  await db.schema.dropTable('vault_keys').execute();
}
