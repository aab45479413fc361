import { type Kysely, type Selectable, sql } from 'kysely';
import type { UsageEventRecord, UsageEventStore, UsageGroupBy, UsageOutcome, UsageTotals } from '../ports.ts';

/** The `usage_events` table as Kysely sees it (declared here and joined with `withTables`, like the cooldowns). */
export interface UsageEventsTable {
  request_id: string;
  /** Epoch ms. PostgreSQL drivers may return BIGINT as a string, hence Number() on every read. */
  time: number;
  key_id: string | null;
  provider_id: string | null;
  credential_id: string | null;
  model_requested: string;
  model_upstream: string | null;
  route: string;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  /** 0 or 1 (one type for both dialects). */
  estimated: number;
  latency_ms: number;
  status: number;
  outcome: string;
}

/** The tables this store uses (a type alias: `withTables` needs an index-compatible type). */
export type UsageEventTables = { usage_events: UsageEventsTable };

/** Rows per INSERT statement: SQLite allows 32,766 bound values; 16 columns × 500 stays far below it. */
const INSERT_CHUNK = 500;

/** The column each grouping reads. The model group is the upstream model, or the requested one when none was sent. */
const GROUP_EXPRESSION = {
  key: sql<string>`coalesce(key_id, '')`,
  model: sql<string>`coalesce(model_upstream, model_requested)`,
  provider: sql<string>`coalesce(provider_id, '')`,
  credential: sql<string>`coalesce(credential_id, '')`,
} as const satisfies Record<UsageGroupBy, unknown>;

/** UsageEventStore over any Kysely SQL dialect. Writes come in batches from the usage recorder, never per request. */
export class SqlUsageEventStore implements UsageEventStore {
  readonly #db: Kysely<UsageEventTables>;

  constructor(db: Kysely<UsageEventTables>) {
    this.#db = db;
  }

  async insertMany(events: readonly UsageEventRecord[]): Promise<void> {
    if (events.length === 0) return;
    // One transaction per batch: one fsync for the lot, and a failed batch leaves nothing half-written.
    await this.#db.transaction().execute(async (trx) => {
      for (let start = 0; start < events.length; start += INSERT_CHUNK) {
        const rows = events.slice(start, start + INSERT_CHUNK).map(usageRow);
        await trx.insertInto('usage_events').values(rows).onConflict((oc) => oc.column('request_id').doNothing()).execute();
      }
    });
  }

  async totals(query: { since: Date; until: Date; groupBy: UsageGroupBy }): Promise<UsageTotals[]> {
    const group = GROUP_EXPRESSION[query.groupBy];
    const rows = await this.#db
      .selectFrom('usage_events')
      .select([
        group.as('grp'),
        sql<number>`count(*)`.as('requests'),
        sql<number>`sum(input_tokens)`.as('input_tokens'),
        sql<number>`sum(output_tokens)`.as('output_tokens'),
        sql<number>`sum(cached_tokens)`.as('cached_tokens'),
        sql<number>`sum(reasoning_tokens)`.as('reasoning_tokens'),
        sql<number>`sum(estimated)`.as('estimated'),
        sql<number>`sum(case when outcome = 'ok' then 0 else 1 end)`.as('failed'),
        sql<number>`sum(latency_ms)`.as('latency'),
      ])
      .where('time', '>=', query.since.getTime())
      .where('time', '<', query.until.getTime())
      .groupBy(group)
      .execute();
    const totals = rows.map((row) => ({
      group: String(row.grp),
      requests: Number(row.requests),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cachedTokens: Number(row.cached_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      estimatedRequests: Number(row.estimated),
      failedRequests: Number(row.failed),
      latencyMsTotal: Number(row.latency),
    }));
    return totals.sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || a.group.localeCompare(b.group));
  }

  async list(query: { since: Date; until: Date; limit: number }): Promise<UsageEventRecord[]> {
    const rows = await this.#db
      .selectFrom('usage_events')
      .selectAll()
      .where('time', '>=', query.since.getTime())
      .where('time', '<', query.until.getTime())
      .orderBy('time')
      .orderBy('request_id')
      .limit(query.limit)
      .execute();
    return rows.map(fromRow);
  }
}

/** A usage event as a table row. */
export function usageRow(event: UsageEventRecord): UsageEventsTable {
  return {
    request_id: event.requestId,
    time: event.time.getTime(),
    key_id: event.keyId,
    provider_id: event.providerId,
    credential_id: event.credentialId,
    model_requested: event.modelRequested,
    model_upstream: event.modelUpstream,
    route: event.route,
    input_tokens: event.inputTokens,
    output_tokens: event.outputTokens,
    cached_tokens: event.cachedTokens,
    reasoning_tokens: event.reasoningTokens,
    estimated: event.estimated ? 1 : 0,
    latency_ms: event.latencyMs,
    status: event.status,
    outcome: event.outcome,
  };
}

function fromRow(row: Selectable<UsageEventsTable>): UsageEventRecord {
  return {
    time: new Date(Number(row.time)),
    requestId: row.request_id,
    keyId: row.key_id,
    providerId: row.provider_id,
    credentialId: row.credential_id,
    modelRequested: row.model_requested,
    modelUpstream: row.model_upstream,
    route: row.route,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedTokens: Number(row.cached_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    estimated: Number(row.estimated) === 1,
    latencyMs: Number(row.latency_ms),
    status: Number(row.status),
    // Written only by this store from the UsageOutcome union; an unknown value from a newer version stays as text.
    outcome: row.outcome as UsageOutcome,
  };
}
