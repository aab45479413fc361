import type { Kysely } from 'kysely';

/**
 * Per-key settings: owner, scopes (JSON arrays as text), expiry, limits, disable switch. Every column is nullable and
 * NULL means "unrestricted", so keys created before this migration keep working exactly as they did.
 * One ALTER per column: SQLite accepts only one ADD COLUMN per statement.
 */
const columns: readonly (readonly [name: string, type: 'text' | 'bigint' | 'integer'])[] = [
  ['updated_at', 'bigint'],
  ['owner', 'text'],
  ['models', 'text'],
  ['providers', 'text'],
  ['routes', 'text'],
  ['ips', 'text'],
  ['expires_at', 'bigint'],
  ['rps', 'integer'],
  ['burst', 'integer'],
  // bigint: a month of tokens can exceed 2^31.
  ['monthly_tokens', 'bigint'],
  ['max_tokens', 'integer'],
  ['disabled_at', 'bigint'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, type] of columns) {
    await db.schema.alterTable('client_keys').addColumn(name, type).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of [...columns].reverse()) {
    await db.schema.alterTable('client_keys').dropColumn(name).execute();
  }
}
