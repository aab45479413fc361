import type { Kysely, Selectable } from 'kysely';
import type { AuditEventType, AuditOutcome, AuditRecord } from '../../audit/audit-log.ts';
import { canonicalDetails } from '../../audit/audit-record.ts';
import type { AuditEventStore, AuditQuery } from '../ports.ts';

/** The `audit_events` table as Kysely sees it (declared here and joined with `withTables`, like token_usage). */
export interface AuditEventsTable {
  index: number;
  /** Epoch ms. */
  time: number;
  type: string;
  actor: string;
  ip: string | null;
  request_id: string | null;
  outcome: string;
  /** Canonical JSON text. */
  details: string;
  prev: string;
  hash: string;
}

/** The tables this store uses. */
export type AuditEventTables = { audit_events: AuditEventsTable };

type Row = Selectable<AuditEventsTable>;

/**
 * A row back as a record. Values are taken as stored, not validated: `rampart audit verify` compares every row
 * with the file, so an edited row is reported there rather than hidden here.
 */
function fromRow(row: Row): AuditRecord {
  let details: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row.details);
    details = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { unparsable: row.details };
  } catch {
    details = { unparsable: row.details };
  }
  return {
    index: Number(row.index),
    time: new Date(Number(row.time)).toISOString(),
    type: row.type as AuditEventType,
    actor: row.actor,
    ip: row.ip ?? undefined,
    requestId: row.request_id ?? undefined,
    outcome: row.outcome as AuditOutcome,
    details,
    prev: row.prev,
    hash: row.hash,
  };
}

/** An audit record as a table row. */
export function auditRow(record: AuditRecord): AuditEventsTable {
  return {
    index: record.index,
    time: Date.parse(record.time),
    type: record.type,
    actor: record.actor,
    ip: record.ip ?? null,
    request_id: record.requestId ?? null,
    outcome: record.outcome,
    details: canonicalDetails(record.details ?? {}),
    prev: record.prev,
    hash: record.hash,
  };
}

/** AuditEventStore over any Kysely SQL dialect. */
export class SqlAuditEventStore implements AuditEventStore {
  readonly #db: Kysely<AuditEventTables>;

  constructor(db: Kysely<AuditEventTables>) {
    this.#db = db;
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map(auditRow);
    await this.#db.transaction().execute(async (trx) => {
      // SQLite caps bound parameters per statement; 10 columns × 50 rows stays far below it.
      for (let i = 0; i < rows.length; i += 50) await trx.insertInto('audit_events').values(rows.slice(i, i + 50)).execute();
    });
  }

  async lastIndex(): Promise<number> {
    const row = await this.#db.selectFrom('audit_events').select('index').orderBy('index', 'desc').limit(1).executeTakeFirst();
    return row === undefined ? -1 : Number(row.index);
  }

  async range(fromIndex: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.#db.selectFrom('audit_events').selectAll().where('index', '>=', fromIndex).orderBy('index', 'asc').limit(limit).execute();
    return rows.map(fromRow);
  }

  async tail(limit: number, type?: string): Promise<AuditRecord[]> {
    let query = this.#db.selectFrom('audit_events').selectAll();
    if (type !== undefined) query = query.where('type', '=', type);
    const rows = await query.orderBy('index', 'desc').limit(limit).execute();
    return rows.reverse().map(fromRow);
  }

  async query(filter: AuditQuery): Promise<AuditRecord[]> {
    let query = this.#db.selectFrom('audit_events').selectAll();
    if (filter.since !== undefined) query = query.where('time', '>=', filter.since.getTime());
    if (filter.until !== undefined) query = query.where('time', '<=', filter.until.getTime());
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
    const rows = await query.orderBy('index', 'asc').limit(filter.limit).execute();
    return rows.map(fromRow);
  }
}
