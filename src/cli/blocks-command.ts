import type { Command } from 'commander';
import { type AuditEventInput, type AuditLog, AuditUnavailableError } from '../audit/audit-log.ts';
import { BLOCK_REFRESH_MS } from '../alerts/start-alerting.ts';
import { IpBlockList, blockSubject } from '../alerts/ip-block-list.ts';
import { loadDataDir } from '../config/load.ts';
import type { IpBlockRecord, Storage } from '../storage/ports.ts';
import { openCliAudit } from './cli-audit.ts';
import { CliError, type CliOutput } from './output.ts';
import { type PermissionFlag, openStateStorage } from './state-storage.ts';

/** What the command may use besides the database; tests swap the audit log (default: the hash-chained writer). */
export interface BlocksCommandDeps {
  openAudit?: (configPath: string | undefined, storage: Storage) => Promise<AuditLog>;
}

interface ConfigOption {
  config?: string;
}

/** Longest block the CLI sets, like alert rules: 30 days. */
const MAX_MINUTES = 43_200;

/**
 * Runs `work` on the stored blocks. `audited` commands (add, lift) open the audit log first and record each change
 * durably before making it: when the log cannot be written the change is refused (fail closed).
 */
async function withBlocks<T>(
  options: ConfigOption & PermissionFlag,
  output: CliOutput,
  deps: BlocksCommandDeps,
  audited: boolean,
  work: (blocks: IpBlockList, audit: (event: AuditEventInput) => Promise<void>) => Promise<T>,
): Promise<T> {
  // Blocks hold addresses and reasons only: like `keys`, this needs dataDir and never the upstream secrets.
  const { dataDir } = await loadDataDir({ path: options.config });
  const storage = await openStateStorage(dataDir, options, output);
  let auditLog: AuditLog | undefined;
  const audit = async (event: AuditEventInput): Promise<void> => {
    if (auditLog === undefined) return;
    try {
      await auditLog.recordDurable(event);
    } catch (error) {
      if (error instanceof AuditUnavailableError) throw new CliError(`refused: ${error.message}`);
      throw error;
    }
  };
  try {
    if (audited) auditLog = await (deps.openAudit ?? ((config, s) => openCliAudit(config, s.auditEvents)))(options.config, storage);
    const blocks = new IpBlockList(storage.ipBlocks);
    await blocks.refresh();
    const result = await work(blocks, audit);
    await blocks.settled();
    return result;
  } finally {
    await auditLog?.close();
    await storage.close();
  }
}

function subjectOrFail(text: string): string {
  const subject = blockSubject(text);
  if (subject === undefined) throw new CliError('the address must be an IPv4 or IPv6 address (e.g. 192.0.2.7, 2001:db8::1) or an IPv6 /64 network');
  return subject;
}

function view(block: IpBlockRecord): Record<string, string> {
  return { ip: block.ip, until: block.until.toISOString(), reason: block.reason, createdAt: block.createdAt.toISOString(), createdBy: block.createdBy };
}

/** `rampart blocks list|add|lift`: addresses refused for a while (alert rules or by hand). */
export function registerBlocksCommand(program: Command, output: CliOutput, deps: BlocksCommandDeps = {}): void {
  const blocks = program.command('blocks').description('list, add and lift temporary IP blocks (alert rules add them too)');
  const configOption = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;
  const seconds = Math.ceil(BLOCK_REFRESH_MS / 1000);

  blocks
    .command('list')
    .description('blocks in force: address (IPv6 per /64), until when, why, by whom')
    .option('--json', 'print a JSON array of {"ip","until","reason","createdAt","createdBy"}')
    .option(...configOption)
    .action(async (options: ConfigOption & { json?: boolean }) => {
      const list = await withBlocks(options, output, deps, false, (b) => Promise.resolve(b.list()));
      if (options.json) {
        output.out(JSON.stringify(list.map(view)));
        return;
      }
      if (list.length === 0) {
        output.out('No address is blocked.');
        return;
      }
      output.out(['ADDRESS'.padEnd(28), 'UNTIL'.padEnd(24), 'BY'.padEnd(28), 'REASON'].join(' '));
      for (const b of list) output.out([b.ip.padEnd(28), b.until.toISOString().padEnd(24), b.createdBy.padEnd(28), b.reason].join(' '));
    });

  blocks
    .command('add')
    .description(`block an address (IPv6: its /64) for some minutes; a running server refuses it within ${seconds} s`)
    .argument('<ip>', 'IPv4 or IPv6 address, or IPv6 /64 network')
    .requiredOption('-m, --minutes <n>', `how long, 1-${MAX_MINUTES} minutes`)
    .option('-r, --reason <text>', 'why (shown by `blocks list` and in the audit log)', 'blocked by operator')
    .option(...configOption)
    .action(async (ip: string, options: ConfigOption & { minutes: string; reason: string }) => {
      const subject = subjectOrFail(ip);
      const minutes = Number(options.minutes);
      if (!/^\d+$/.test(options.minutes) || minutes < 1 || minutes > MAX_MINUTES) throw new CliError(`--minutes must be a whole number from 1 to ${MAX_MINUTES}`);
      const reason = options.reason.trim();
      // The reason is shown in tables and audit lines: one short printable line.
      if (reason === '' || reason.length > 200 || /\p{Cc}/u.test(reason)) throw new CliError('--reason must be 1-200 printable characters on one line');
      const block = await withBlocks(options, output, deps, true, async (list, audit) => {
        await audit({ type: 'ip_blocked', actor: 'cli', ip: subject, outcome: 'success', details: { minutes, reason } });
        return list.block(subject, minutes, reason, 'cli');
      });
      output.out(`Blocked ${block.ip} until ${block.until.toISOString()}.`);
    });

  blocks
    .command('lift')
    .description(`lift the block of an address; a running server serves it again within ${seconds} s`)
    .argument('<ip>', 'the address (or IPv6 /64) as blocked')
    .option(...configOption)
    .action(async (ip: string, options: ConfigOption) => {
      const subject = subjectOrFail(ip);
      const lifted = await withBlocks(options, output, deps, true, async (list, audit) => {
        if (list.find(subject) === undefined) return false;
        await audit({ type: 'ip_unblocked', actor: 'cli', ip: subject, outcome: 'success' });
        return list.lift(subject);
      });
      if (!lifted) throw new CliError(`${subject} is not blocked`);
      output.out(`Lifted the block of ${subject}.`);
    });
}
