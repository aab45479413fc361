import type { Command } from 'commander';
import { openVault } from '../vault/open-vault.ts';
import { parseVaultKey } from '../vault/vault-key.ts';
import { rotateVaultKey } from '../vault/vault-rotation.ts';
import { type VaultStatus, vaultStatus } from '../vault/vault-status.ts';
import { CliError, type CliOutput } from './output.ts';
import { CONFIG_OPTION, INSECURE_OPTION, type StateOptions, secretFromEnv, withVaultStorage } from './vault-cli.ts';

const KEY_STATES: Record<VaultStatus['key'], string> = {
  opens: 'opens the current version',
  wrong: 'DOES NOT open the current version',
  missing: 'missing',
  invalid: 'invalid',
  'pending-swap': 'the pending key file (<keyFile>.next) opens the current version; the next start finishes the swap',
};

function printStatus(output: CliOutput, status: VaultStatus): void {
  const source = status.keySource.kind === 'env' ? `environment variable ${status.keySource.name}` : `key file ${status.keySource.path}`;
  output.out(`key source:      ${source}`);
  output.out(`key:             ${KEY_STATES[status.key]}${status.keyProblem === undefined ? '' : ` (${status.keyProblem})`}`);
  output.out(`current version: ${status.currentVersion ?? 'none yet (the first start creates version 1)'}`);
  output.out(`credentials:     ${status.credentials}`);
  if (status.versions.length === 0) return;
  output.out('');
  output.out(['VERSION'.padEnd(8), 'STATE'.padEnd(8), 'CREATED'.padEnd(25), 'RETIRED'.padEnd(25), 'CREDENTIALS'].join(' '));
  for (const v of status.versions) {
    output.out([String(v.version).padEnd(8), v.state.padEnd(8), v.createdAt.padEnd(25), (v.retiredAt ?? '-').padEnd(25), String(v.credentials)].join(' '));
  }
}

/** `rampart vault status|rotate|verify`: the key behind the credential vault. */
export function registerVaultCommand(program: Command, output: CliOutput): void {
  const vault = program.command('vault').description('inspect, verify and rotate the key of the encrypted credential vault');

  vault
    .command('status')
    .description('show where the vault key comes from, whether it opens the vault, key versions and credentials per version (never a secret)')
    .option('--json', 'print the status as a JSON object')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (options: StateOptions & { json?: boolean }) => {
      const status = await withVaultStorage(options, output, (storage, settings) => vaultStatus(storage.vault, process.env, settings.keyFile));
      if (options.json) output.out(JSON.stringify(status));
      else printStatus(output, status);
    });

  vault
    .command('verify')
    .description('decrypt every credential with the current key and report any that fail (ids and reasons only)')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (options: StateOptions) => {
      const result = await withVaultStorage(options, output, async (storage, settings) => {
        const opened = await openVault({ storage, keyFile: settings.keyFile, allowGenerate: false, notice: (line) => output.err(line) });
        return { version: opened.keyVersion(), entries: await opened.entries() };
      });
      const failures = result.entries.flatMap((e) => ('error' in e ? [e.error.message] : []));
      for (const line of failures) output.err(line);
      if (failures.length > 0) throw new CliError(`${failures.length} of ${result.entries.length} credentials cannot be decrypted`);
      output.out(`All ${result.entries.length} credentials decrypt with vault key version ${result.version}.`);
    });

  vault
    .command('rotate')
    .description('re-encrypt every credential under a new key in one transaction and retire the old key version')
    .requiredOption('--new-key-env <VAR>', 'name of the environment variable holding the new key (32 bytes, base64: openssl rand -base64 32)')
    .option(...CONFIG_OPTION)
    .option(...INSECURE_OPTION)
    .action(async (options: StateOptions & { newKeyEnv: string }) => {
      const newKey = parseVaultKey(secretFromEnv('new-key-env', options.newKeyEnv), options.newKeyEnv);
      const result = await withVaultStorage(options, output, async (storage, settings, audit) => {
        const total = await storage.vault.count();
        output.err(`rotating: re-encrypting ${total} credential(s) in one transaction…`);
        const step = Math.max(1, Math.floor(total / 8));
        return rotateVaultKey({
          keyring: { store: storage.vault, env: process.env, keyFile: settings.keyFile, allowGenerate: false, notice: (line) => output.err(line) },
          newKey,
          ...(audit === undefined ? {} : { audit }),
          onProgress: (done, all) => {
            if (done % step === 0 || done === all) output.err(`rotating: ${done}/${all} re-encrypted (not yet committed)`);
          },
          onCommitted: (version) => output.err(`rotating: committed; key version ${version} is current`),
        });
      }, true);
      output.out(`Rotated the vault key: version ${result.fromVersion} → ${result.toVersion}, ${result.reencrypted} credential(s) re-encrypted; version ${result.fromVersion} is retired.`);
      if (result.source.kind === 'file') {
        output.out(`The key file ${result.source.path} now holds the new key: back it up. A running server switches to it by itself.`);
      } else {
        output.out(`Set ${result.source.name} to the new key (the value of ${options.newKeyEnv}) for \`rampart serve\` and every command, then restart the server: the old key no longer opens the vault.`);
      }
    });
}
