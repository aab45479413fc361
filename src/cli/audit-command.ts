import type { Command } from 'commander';
import { auditDirFor, auditPaths } from '../audit/audit-files.ts';
import { readPublicKey } from '../audit/audit-keys.ts';
import type { AuditRecord } from '../audit/audit-log.ts';
import { verifyAuditLog } from '../audit/audit-verify.ts';
import { loadAuditSetup } from '../audit/open-audit-log.ts';
import { canonicalJson } from '../audit/audit-record.ts';
import type { Storage } from '../storage/ports.ts';
import { CliError, type CliOutput } from './output.ts';
import { type PermissionFlag, openStateStorage } from './state-storage.ts';

interface ConfigOption {
  config?: string;
}

const MAX_ROWS = 100_000;

async function withStorage<T>(options: ConfigOption & PermissionFlag, output: CliOutput, work: (storage: Storage) => Promise<T>): Promise<T> {
  const setup = await loadAuditSetup({ path: options.config });
  const storage = await openStateStorage(setup.dataDir, options, output);
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > MAX_ROWS) throw new CliError(`--${flag} must be a whole number from 1 to ${MAX_ROWS}`);
  return n;
}

function parseTime(flag: string, text: string): Date {
  // ISO-8601 only, with a date at least: "yesterday" or "1700000000" are refused rather than guessed.
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? new Date(text) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw new CliError(`--${flag} must be an ISO-8601 date or date-time, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  return time;
}

/** One readable line per record: time, index, type, outcome, actor, ip, request id, details. */
function formatRecord(record: AuditRecord): string {
  const fields = [record.time, `#${record.index}`, record.type, record.outcome, record.actor, record.ip ?? '-', record.requestId ?? '-'];
  return `${fields.join('  ')}  ${canonicalJson(record.details ?? {})}`;
}

function printRecords(output: CliOutput, records: AuditRecord[], json: boolean): void {
  if (json) {
    output.out(JSON.stringify(records));
    return;
  }
  if (records.length === 0) output.out('No audit records match.');
  for (const record of records) output.out(formatRecord(record));
}

/** `rampart audit verify|tail|query`: check the hash chain, read the audit table. */
export function registerAuditCommand(program: Command, output: CliOutput): void {
  const audit = program.command('audit').description('verify and read the tamper-evident audit log');
  const configOption = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;

  audit
    .command('verify')
    .description('check the hash chain, checkpoint signatures, the signed head and the audit table; exit 1 on any problem')
    .option('--public-key <file>', 'checkpoint public key to trust (your own copy of checkpoint-key.pub.pem); default: the one in the audit folder')
    .option('--json', 'print the full report as JSON')
    .option(...configOption)
    .action(async (options: ConfigOption & { publicKey?: string; json?: boolean }) => {
      const setup = await loadAuditSetup({ path: options.config });
      const paths = auditPaths(auditDirFor(setup.dataDir, setup.config.dir, setup.configFile));
      const keyFile = options.publicKey ?? paths.publicKey;
      const key = await readPublicKey(keyFile).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(code === 'ENOENT' ? `no public key at ${keyFile} (has Rampart written an audit log here yet?)` : `cannot read the public key ${keyFile}: ${code ?? 'not a PEM Ed25519 key'}`);
      });
      const report = await withStorage(options, output, (storage) => verifyAuditLog(paths, key, storage.auditEvents)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`no audit log at ${paths.log}`);
        throw error;
      });
      if (options.json) output.out(JSON.stringify(report));
      if (!report.ok) {
        if (!options.json) for (const p of report.problems) output.out(`${p.index === null ? 'head' : `index ${p.index}`}: ${p.message}`);
        throw new CliError(`audit log NOT intact: first bad index ${report.firstBadIndex ?? '?'} (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`);
      }
      if (options.json) return;
      const head = report.head === undefined ? 'none' : `${report.head.index} (${report.head.hash.slice(0, 12)}…)`;
      output.out(`audit log intact: ${report.records} records, ${report.checkpoints} checkpoints, head ${head}, key ${report.keyId}`);
      for (const note of report.notes) output.err(`note: ${note}`);
      if (options.publicKey === undefined) output.err('note: checked with the public key in the audit folder; pass --public-key <your copy> to rule out a replaced key');
    });

  audit
    .command('tail')
    .description('print the newest audit records (from the audit table)')
    .option('-n, --lines <n>', 'how many records', '20')
    .option('--type <type>', 'only records of this event type (e.g. key_created)')
    .option('--json', 'print a JSON array')
    .option(...configOption)
    .action(async (options: ConfigOption & { lines: string; type?: string; json?: boolean }) => {
      const limit = parseCount('lines', options.lines);
      const records = await withStorage(options, output, (storage) => storage.auditEvents.tail(limit, options.type));
      printRecords(output, records, options.json === true);
    });

  audit
    .command('query')
    .description('print audit records in a time range (from the audit table), oldest first')
    .requiredOption('--since <iso>', 'start time, inclusive (ISO-8601)')
    .requiredOption('--until <iso>', 'end time, inclusive (ISO-8601)')
    .option('--type <type>', 'only records of this event type')
    .option('--actor <actor>', 'only records by this actor (e.g. cli, key:<id>)')
    .option('--limit <n>', 'most records printed', '1000')
    .option('--json', 'print a JSON array')
    .option(...configOption)
    .action(async (options: ConfigOption & { since: string; until: string; type?: string; actor?: string; limit: string; json?: boolean }) => {
      const since = parseTime('since', options.since);
      const until = parseTime('until', options.until);
      if (since > until) throw new CliError('--since is after --until');
      const limit = parseCount('limit', options.limit);
      const filter = { since, until, limit, ...(options.type === undefined ? {} : { type: options.type }), ...(options.actor === undefined ? {} : { actor: options.actor }) };
      const records = await withStorage(options, output, (storage) => storage.auditEvents.query(filter));
      printRecords(output, records, options.json === true);
    });
}
