import type { AuditWriter } from '../audit/audit-writer.ts';
import { AuditedVault } from '../vault/audited-vault.ts';
import { openVault, vaultKeyFile } from '../vault/open-vault.ts';
import type { VaultOpener } from './login-command.ts';
import { openCliAudit } from './cli-audit.ts';
import type { CliOutput } from './output.ts';
import { type PermissionFlag, openStateStorage } from './state-storage.ts';

/**
 * The vault of a config for `rampart login`: its storage opened, the key read (or, on a first start, generated and
 * shown once on stderr, as `serve` does). `close` releases the database.
 */
export function cliVaultOpener(output: CliOutput): VaultOpener {
  return async (loaded, flags: PermissionFlag) => {
    const storage = await openStateStorage(loaded.dataDir, flags, output, [vaultKeyFile(loaded.config.vault, loaded)]);
    let audit: AuditWriter | undefined;
    try {
      const vault = await openVault({ storage, keyFile: vaultKeyFile(loaded.config.vault, loaded), allowGenerate: true, notice: (line) => output.err(line) });
      // The stored login is audited durably first; a log that cannot take it refuses the login's result.
      audit = await openCliAudit(loaded.source ?? undefined, storage.auditEvents);
      const opened = audit;
      return {
        vault: new AuditedVault(vault, opened, 'cli'),
        close: async () => {
          await opened.close();
          await storage.close();
        },
      };
    } catch (error) {
      await audit?.close();
      await storage.close();
      throw error;
    }
  };
}
