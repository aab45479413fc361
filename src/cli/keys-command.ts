import type { Command } from 'commander';
import { loadDataDir } from '../config/load.ts';
import { ClientKeyService } from '../keys/client-keys.ts';
import { loadKeyPepper } from '../keys/pepper.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';
import { openStorage } from '../storage/open-storage.ts';
import { CliError, type CliOutput } from './output.ts';

interface ConfigOption {
  config?: string;
}

async function withKeyService<T>(options: ConfigOption, work: (keys: ClientKeyService) => Promise<T>): Promise<T> {
  // Key management needs only dataDir: never the upstream secrets the rest of the file may reference.
  const { dataDir } = await loadDataDir({ path: options.config });
  const storage = await openStorage(dataDir);
  try {
    return await work(new ClientKeyService(storage.clientKeys, await loadKeyPepper(dataDir)));
  } finally {
    await storage.close();
  }
}

function publicView(record: ClientKeyRecord): Record<string, string | null> {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
    status: record.revokedAt ? 'revoked' : 'active',
  };
}

/** `rampart keys create|list|revoke`: manage the client keys callers use to reach the proxy. */
export function registerKeysCommand(program: Command, output: CliOutput): void {
  const keys = program.command('keys').description('manage client keys (the keys your apps use to call Rampart)');
  const configOption = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;

  keys
    .command('create')
    .description('create a client key and print it once (it is stored only as a hash)')
    .requiredOption('-n, --name <name>', 'a label for the key, e.g. the app or person using it')
    .option('--json', 'print {"id","name","key","createdAt"} as JSON')
    .option(...configOption)
    .action(async (options: ConfigOption & { name: string; json?: boolean }) => {
      const created = await withKeyService(options, async (service) => {
        try {
          return await service.create(options.name);
        } catch (error) {
          throw new CliError(error instanceof Error ? error.message : String(error));
        }
      });
      if (options.json) {
        output.out(JSON.stringify({ id: created.record.id, name: created.record.name, key: created.key, createdAt: created.record.createdAt.toISOString() }));
        return;
      }
      output.out(`Created client key ${created.record.id} (${created.record.name}):`);
      output.out('');
      output.out(`  ${created.key}`);
      output.out('');
      output.out('Copy it now: Rampart stores only a hash and cannot show it again.');
    });

  keys
    .command('list')
    .description('list client keys (id, name, prefix, status); never the keys themselves')
    .option('--json', 'print a JSON array')
    .option(...configOption)
    .action(async (options: ConfigOption & { json?: boolean }) => {
      const records = await withKeyService(options, (service) => service.list());
      if (options.json) {
        output.out(JSON.stringify(records.map(publicView)));
        return;
      }
      if (records.length === 0) {
        output.out('No client keys. Create one with: rampart keys create --name <name>');
        return;
      }
      const rows = records.map(publicView);
      output.out(['ID'.padEnd(28), 'NAME'.padEnd(24), 'PREFIX'.padEnd(14), 'STATUS'.padEnd(8), 'CREATED'].join(' '));
      for (const r of rows) {
        output.out([String(r.id).padEnd(28), String(r.name).slice(0, 24).padEnd(24), `${r.prefix}…`.padEnd(14), String(r.status).padEnd(8), r.createdAt].join(' '));
      }
    });

  keys
    .command('revoke')
    .description('revoke a client key by id; it is refused from the next request on')
    .argument('<id>', 'the key id, as shown by `rampart keys list`')
    .option(...configOption)
    .action(async (id: string, options: ConfigOption) => {
      const found = await withKeyService(options, (service) => service.revoke(id));
      if (!found) throw new CliError(`no client key with id "${id}" (see: rampart keys list)`);
      output.out(`Revoked client key ${id}.`);
    });
}
