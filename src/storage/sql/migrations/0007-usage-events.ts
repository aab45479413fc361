import type { Kysely } from 'kysely';

/**
 * One row per proxied request (usage accounting, src/usage/). Times are epoch ms. The request id is the key, so a
 * batch written twice (a retried flush) adds nothing. Queries are by time range, optionally narrowed to one key, so
 * both indexes lead with what the range scan needs. No foreign keys: accounting outlives keys and providers.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_events')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('credential_id', 'text')
    .addColumn('model_requested', 'text', (c) => c.notNull())
    .addColumn('model_upstream', 'text')
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reasoning_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('estimated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_events_time').on('usage_events').column('time').execute();
  await db.schema.createIndex('usage_events_key_time').on('usage_events').columns(['key_id', 'time']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_events').execute();
}
