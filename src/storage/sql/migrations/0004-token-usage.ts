import type { Kysely } from 'kysely';

/**
 * Tokens used per client key per calendar month (UTC, `YYYY-MM`), so monthly quotas survive a restart. One row per
 * key × month, incremented in place; old months stay as history. No foreign key to client_keys: usage is an
 * accounting record that must outlive whatever happens to the key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('token_usage')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('token_usage_pk', ['key_id', 'month'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('token_usage').execute();
}
