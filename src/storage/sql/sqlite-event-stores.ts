import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { AuditRecord } from '../../audit/audit-log.ts';
import type { UsageEventRecord } from '../ports.ts';
import { type AuditEventTables, type AuditEventsTable, SqlAuditEventStore, auditRow } from './audit-event-store.ts';
import { sqliteBatchInsert } from './sqlite-batch-insert.ts';
import { SqlUsageEventStore, type UsageEventTables, type UsageEventsTable, usageRow } from './usage-event-store.ts';

const USAGE_COLUMNS = [
  'request_id',
  'time',
  'key_id',
  'provider_id',
  'credential_id',
  'model_requested',
  'model_upstream',
  'route',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'estimated',
  'latency_ms',
  'status',
  'outcome',
] as const satisfies readonly (keyof UsageEventsTable)[];

const AUDIT_COLUMNS = ['index', 'time', 'type', 'actor', 'ip', 'request_id', 'outcome', 'details', 'prev', 'hash'] as const satisfies readonly (keyof AuditEventsTable)[];

/** SQLite flavour of the usage store: batches go through a prepared statement (reads stay on Kysely). */
export class SqliteUsageEventStore extends SqlUsageEventStore {
  readonly #insert: (rows: readonly UsageEventsTable[]) => Promise<void>;

  constructor(db: Kysely<UsageEventTables>, sqlite: BetterSqlite3.Database) {
    super(db);
    // A request id already recorded (a retried batch) is skipped, as the Kysely version does.
    this.#insert = sqliteBatchInsert<UsageEventsTable>(db as unknown as Kysely<unknown>, sqlite, 'usage_events', USAGE_COLUMNS, 'ignore');
  }

  override insertMany(events: readonly UsageEventRecord[]): Promise<void> {
    return this.#insert(events.map(usageRow));
  }
}

/** SQLite flavour of the audit table: batches go through a prepared statement (reads stay on Kysely). */
export class SqliteAuditEventStore extends SqlAuditEventStore {
  readonly #insert: (rows: readonly AuditEventsTable[]) => Promise<void>;

  constructor(db: Kysely<AuditEventTables>, sqlite: BetterSqlite3.Database) {
    super(db);
    this.#insert = sqliteBatchInsert<AuditEventsTable>(db as unknown as Kysely<unknown>, sqlite, 'audit_events', AUDIT_COLUMNS);
  }

  override append(records: readonly AuditRecord[]): Promise<void> {
    return this.#insert(records.map(auditRow));
  }
}
