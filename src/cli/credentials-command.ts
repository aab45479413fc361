import type { Command } from 'commander';
import type { StoredCredential } from '../vault/credential-vault.ts';
import { CredentialService } from '../vault/credential-service.ts';
import { keylessVault } from '../vault/encrypted-credential-vault.ts';
import { openVault } from '../vault/open-vault.ts';
import { CliError, type CliOutput } from './output.ts';
import { CONFIG_OPTION, INSECURE_OPTION, type StateOptions, secretFromEnv, withVaultStorage } from './vault-cli.ts';

/** A credential as listed: everything but the secret. */
function view(c: StoredCredential) {
  return { id: c.id, provider: c.providerId, kind: c.kind, label: c.label, keyVersion: c.keyVersion, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

/**
 * `rampart credentials add|list|remove`: upstream credentials kept in the encrypted vault. A running server picks
 * changes up within 2 s. No subcommand prints a stored secret; `add` reads the key from an environment variable so it
 * never appears in argv, shell history or the process list.
 */
export function registerCredentialsCommand(program: Command, output: CliOutput): void {
  const credentials = program.command('credentials').description('manage upstream credentials stored in the encrypted vault');

  credentials
    .command('add')
    .description('store an upstream API key in the vault for a configured provider (read from an environment variable)')
    .requiredOption('--provider <id>', 'the provider (providers[].id in the config) whose pool the key joins')
    .requiredOption('--api-key-env <VAR>', 'name of the environment variable holding the API key (never the key itself)')
    .option('--id <id>', 'a stable id for the credential (default: generated); shown in logs, metrics and cooldowns')
    .option('--label <label>', 'a note for humans, e.g. whose key it is')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (options: StateOptions & { provider: string; apiKeyEnv: string; id?: string; label?: string }) => {
      const apiKey = secretFromEnv('api-key-env', options.apiKeyEnv);
      const added = await withVaultStorage(options, output, async (storage, settings, audit) => {
        // The first command to touch an empty vault may be this one: it then creates the key and shows it once.
        const vault = await openVault({ storage, keyFile: settings.keyFile, allowGenerate: true, notice: (line) => output.err(line) });
        const service = new CredentialService(vault, { providers: settings.providers, audit, actor: 'cli' });
        return service.addApiKey({ providerId: options.provider, apiKey, id: options.id, label: options.label });
      }, true);
      output.out(`Added credential ${added.id} for provider ${added.providerId} (vault key version ${added.keyVersion}).`);
      output.out('A running server adds it to the pool within 2 seconds.');
    });

  credentials
    .command('list')
    .description('list vault credentials: id, provider, kind, label, key version, created (never a secret)')
    .option('--json', 'print a JSON array of {"id","provider","kind","label","keyVersion","createdAt","updatedAt"}')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (options: StateOptions & { json?: boolean }) => {
      const list = await withVaultStorage(options, output, (storage) => keylessVault(storage.vault).list());
      if (options.json) {
        output.out(JSON.stringify(list.map(view)));
        return;
      }
      if (list.length === 0) {
        output.out('No credentials in the vault. Add one with: rampart credentials add --provider <id> --api-key-env <VAR>');
        return;
      }
      output.out(['ID'.padEnd(28), 'PROVIDER'.padEnd(16), 'KIND'.padEnd(8), 'LABEL'.padEnd(24), 'KEY VER'.padEnd(8), 'CREATED'].join(' '));
      for (const c of list) {
        output.out([c.id.padEnd(28), c.providerId.padEnd(16), c.kind.padEnd(8), (c.label ?? '-').slice(0, 24).padEnd(24), String(c.keyVersion).padEnd(8), c.createdAt.toISOString()].join(' '));
      }
    });

  credentials
    .command('remove')
    .description('delete a credential from the vault; a running server stops using it within 2 seconds')
    .argument('<id>', 'the credential id, as shown by `rampart credentials list`')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (id: string, options: StateOptions) => {
      // Removal needs no key: a credential must be removable even when its key is lost.
      const removed = await withVaultStorage(
        options,
        output,
        (storage, settings, audit) => new CredentialService(keylessVault(storage.vault), { providers: settings.providers, audit, actor: 'cli' }).remove(id),
        true,
      );
      if (!removed) throw new CliError(`no credential with id "${id}" in the vault (see: rampart credentials list)`);
      output.out(`Removed credential ${id}.`);
    });
}
