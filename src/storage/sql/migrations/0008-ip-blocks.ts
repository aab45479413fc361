import type { Kysely } from 'kysely';

/**
 * Blocked client addresses (alert rules and `rampart blocks`), so a block survives a restart and reaches every
 * process sharing the database. `ip` is the normalised address or IPv6 /64; `until` and `created_at` are epoch ms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ip_blocks')
    .addColumn('ip', 'text', (c) => c.primaryKey())
    .addColumn('until', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ip_blocks').execute();
}
