import path from 'node:path';
import type { Storage } from '../storage/ports.ts';
import { EncryptedCredentialVault } from './encrypted-credential-vault.ts';

/** The key file's name inside dataDir when `vault.keyFile` is not set. */
export const DEFAULT_KEY_FILE = 'vault.key';

/**
 * The key file path: `vault.keyFile` made absolute against the config file's folder (like dataDir), or
 * `<dataDir>/vault.key`.
 */
export function vaultKeyFile(vault: { keyFile?: string | undefined }, where: { source: string | null; dataDir: string }, cwd = process.cwd()): string {
  if (vault.keyFile === undefined) return path.join(where.dataDir, DEFAULT_KEY_FILE);
  return path.resolve(where.source === null ? cwd : path.dirname(where.source), vault.keyFile);
}

/** Options of `openVault`. */
export interface OpenVaultOptions {
  storage: Pick<Storage, 'vault'>;
  keyFile: string;
  /** Where RAMPART_VAULT_KEY is read; process.env by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Generate the key on a first start (serve, `credentials add`); read-only commands pass false. */
  allowGenerate: boolean;
  /** Operator-facing lines (stderr); the generated key is shown here once. */
  notice: (line: string) => void;
}

/** Opens the credential vault of an opened storage: finds (or on a first start creates) the key, or throws clearly. */
export function openVault(options: OpenVaultOptions): Promise<EncryptedCredentialVault> {
  return EncryptedCredentialVault.open({
    store: options.storage.vault,
    env: options.env ?? process.env,
    keyFile: options.keyFile,
    allowGenerate: options.allowGenerate,
    notice: options.notice,
  });
}

/** One boot warning per provider that has no credential anywhere (none in the config, none in the vault). */
export function emptyProviderNotices(providers: readonly { id: string; credentials: readonly unknown[] }[], vaultCounts: ReadonlyMap<string, number>): string[] {
  return providers
    .filter((p) => p.credentials.length === 0 && (vaultCounts.get(p.id) ?? 0) === 0)
    .map(
      (p) =>
        `provider "${p.id}" has no credentials (none in the config, none in the vault): its models fail with RAMPART_NO_CREDENTIAL until you run \`rampart credentials add --provider ${p.id} --api-key-env VAR\``,
    );
}
