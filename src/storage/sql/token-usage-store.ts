import type { Kysely } from 'kysely';
import type { TokenUsageStore } from '../ports.ts';

/**
 * The `token_usage` table as Kysely sees it; declared here, like the cooldowns table, so this store joins a
 * connection through `Kysely#withTables` without touching the shared schema type.
 */
export interface TokenUsageTable {
  key_id: string;
  /** `YYYY-MM`, UTC. */
  month: string;
  /** PostgreSQL drivers may return BIGINT as a string, hence the Number() on read. */
  tokens: number;
}

/** The tables this store uses (a type alias: `withTables` needs an index-compatible type, which interfaces are not). */
export type TokenUsageTables = { token_usage: TokenUsageTable };

/** TokenUsageStore over any Kysely SQL dialect. `add` is one upsert, so concurrent writers never lose an update. */
export class SqlTokenUsageStore implements TokenUsageStore {
  readonly #db: Kysely<TokenUsageTables>;

  constructor(db: Kysely<TokenUsageTables>) {
    this.#db = db;
  }

  async get(keyId: string, month: string): Promise<number> {
    const row = await this.#db
      .selectFrom('token_usage')
      .select('tokens')
      .where('key_id', '=', keyId)
      .where('month', '=', month)
      .executeTakeFirst();
    return row === undefined ? 0 : Number(row.tokens);
  }

  async add(keyId: string, month: string, tokens: number): Promise<number> {
    if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError('tokens must be a non-negative integer');
    const row = await this.#db
      .insertInto('token_usage')
      .values({ key_id: keyId, month, tokens })
      .onConflict((oc) =>
        oc.columns(['key_id', 'month']).doUpdateSet((eb) => ({ tokens: eb('token_usage.tokens', '+', eb.ref('excluded.tokens')) })),
      )
      .returning('tokens')
      .executeTakeFirstOrThrow();
    return Number(row.tokens);
  }
}
