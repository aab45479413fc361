import type { Kysely } from 'kysely';

/**
 * Credential cooldowns, one row per credential × model (`*` = all models), so a restart does not hammer an upstream
 * that just refused a key. `until` is epoch ms; `failures` drives exponential back-off across restarts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cooldowns')
    .addColumn('credential_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('cooldowns_pk', ['credential_id', 'model'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cooldowns').execute();
}
