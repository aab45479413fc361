import type { Command } from 'commander';
import { loadDataDir } from '../config/load.ts';
import type { CooldownRecord, Storage } from '../storage/ports.ts';
import { CliError, type CliOutput } from './output.ts';
import { type PermissionFlag, openStateStorage } from './state-storage.ts';

interface ConfigOption {
  config?: string;
}

async function withStorage<T>(options: ConfigOption & PermissionFlag, output: CliOutput, work: (storage: Storage) => Promise<T>): Promise<T> {
  // Cooldowns hold credential ids only, so like `keys` this needs dataDir and never the upstream secrets.
  const { dataDir } = await loadDataDir({ path: options.config });
  const storage = await openStateStorage(dataDir, options, output);
  try {
    return await work(storage);
  } finally {
    await storage.close();
  }
}

/** Stored rows that still cool something; expired rows only remember a back-off streak. */
function active(records: readonly CooldownRecord[], now: number): CooldownRecord[] {
  return records.filter((r) => r.until.getTime() > now);
}

function remaining(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `rampart pool status|reset`: inspect and clear the cooldowns of upstream credentials. */
export function registerPoolCommand(program: Command, output: CliOutput): void {
  const pool = program.command('pool').description('inspect and clear cooldowns of upstream credentials');
  const configOption = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;

  pool
    .command('status')
    .description('list credentials cooling down: credential id, model, reason, until when (never a secret)')
    .option('--json', 'print a JSON array of {"credentialId","model","kind","until","failures"}')
    .option(...configOption)
    .action(async (options: ConfigOption & { json?: boolean }) => {
      const now = Date.now();
      const records = active(await withStorage(options, output, (storage) => storage.cooldowns.list()), now);
      if (options.json) {
        output.out(JSON.stringify(records.map((r) => ({ credentialId: r.credentialId, model: r.model, kind: r.kind, until: r.until.toISOString(), failures: r.failures }))));
        return;
      }
      if (records.length === 0) {
        output.out('No credential is cooling down.');
        return;
      }
      output.out(['CREDENTIAL'.padEnd(24), 'MODEL'.padEnd(28), 'KIND'.padEnd(16), 'FAILURES'.padEnd(8), 'UNTIL'].join(' '));
      for (const r of records) {
        const model = r.model === '*' ? '* (all models)' : r.model;
        const until = `${r.until.toISOString()} (in ${remaining(r.until.getTime() - now)})`;
        output.out([r.credentialId.padEnd(24), model.padEnd(28), r.kind.padEnd(16), String(r.failures).padEnd(8), until].join(' '));
      }
    });

  pool
    .command('reset')
    .description('clear cooldowns and back-off counts, of every credential or of one provider; a running server sees it within its refresh interval')
    .option('-p, --provider <id>', "only this provider's credentials (ids starting with <id>#)")
    .option(...configOption)
    .action(async (options: ConfigOption & { provider?: string }) => {
      if (options.provider !== undefined && options.provider.trim() === '') throw new CliError('--provider needs a provider id');
      const prefix = options.provider === undefined ? undefined : `${options.provider}#`;
      const cleared = await withStorage(options, output, async (storage) => {
        const before = active(await storage.cooldowns.list(), Date.now()).filter((r) => prefix === undefined || r.credentialId.startsWith(prefix));
        await storage.cooldowns.removeAll(prefix);
        return before.length;
      });
      const scope = options.provider === undefined ? '' : ` of provider "${options.provider}"`;
      output.out(`Cleared ${cleared} cooldown${cleared === 1 ? '' : 's'}${scope}.`);
    });
}
