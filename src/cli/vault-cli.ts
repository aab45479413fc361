import { AuditUnavailableError } from '../audit/audit-log.ts';
import type { AuditWriter } from '../audit/audit-writer.ts';
import { checkDataDirPermissions } from '../lib/data-dir-permissions.ts';
import type { Storage } from '../storage/ports.ts';
import { openStorage } from '../storage/open-storage.ts';
import { CredentialNotFoundError, VaultDecryptError, VaultInputError, VaultLockedError } from '../vault/vault-errors.ts';
import { VaultKeyError } from '../vault/vault-key.ts';
import { type VaultSettings, loadVaultSettings } from '../vault/vault-settings.ts';
import { auditRefusal, openCliAudit } from './cli-audit.ts';
import { CliError, type CliOutput } from './output.ts';

/** Flags every `credentials` and `vault` subcommand takes. */
export interface StateOptions {
  config?: string;
  allowInsecurePermissions?: boolean;
}

/** The config option, shared by the subcommands. */
export const CONFIG_OPTION = ['-c, --config <file>', 'config file (default: ./rampart.yaml)'] as const;
/** The permissions override, shared by the subcommands. */
export const INSECURE_OPTION = ['--allow-insecure-permissions', 'proceed even if the data folder or a file in it is readable by others (prints a loud warning)'] as const;

/**
 * Loads the settings, refuses an insecure data folder (unless overridden), opens storage, runs `work`, closes. The
 * vault's own refusals (bad input, wrong key, decrypt failure) become one-line CLI errors.
 */
export async function withVaultStorage<T>(
  options: StateOptions,
  output: CliOutput,
  work: (storage: Storage, settings: VaultSettings, audit: AuditWriter | undefined) => Promise<T>,
  audited = false,
): Promise<T> {
  const settings = await loadVaultSettings({ path: options.config });
  await checkDataDirPermissions(settings.dataDir, {
    extraFiles: [settings.keyFile],
    allowInsecure: options.allowInsecurePermissions === true,
    warn: (message) => output.err(message),
  });
  const storage = await openStorage(settings.dataDir);
  let audit: AuditWriter | undefined;
  try {
    // Changes are written to the audit log first, durably; when it cannot record them they are refused (fail closed).
    if (audited) audit = await openCliAudit(options.config, storage.auditEvents);
    return await work(storage, settings, audit);
  } catch (error) {
    if (error instanceof AuditUnavailableError) throw auditRefusal(error, audit);
    if (
      error instanceof VaultInputError ||
      error instanceof VaultKeyError ||
      error instanceof VaultDecryptError ||
      error instanceof VaultLockedError ||
      error instanceof CredentialNotFoundError
    ) {
      throw new CliError(error.message);
    }
    throw error;
  } finally {
    await audit?.close();
    await storage.close();
  }
}

/** The value of an environment variable named by a flag (secrets never travel in argv), or a clear error. */
export function secretFromEnv(flag: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new CliError(`--${flag} takes the NAME of an environment variable (e.g. OPENAI_KEY), not the secret itself`);
  const value = process.env[name];
  if (value === undefined) throw new CliError(`environment variable ${name} (named by --${flag}) is not set`);
  if (value.trim() === '') throw new CliError(`environment variable ${name} (named by --${flag}) is empty`);
  return value;
}
