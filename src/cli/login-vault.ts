import { openStorage } from '../storage/open-storage.ts';
import { openVault, vaultKeyFile } from '../vault/open-vault.ts';
import type { VaultOpener } from './login-command.ts';
import type { CliOutput } from './output.ts';

/**
 * The vault of a config for `rampart login`: its storage opened, the key read (or, on a first start, generated and
 * shown once on stderr, as `serve` does). `close` releases the database.
 */
export function cliVaultOpener(output: CliOutput): VaultOpener {
  return async (loaded) => {
    const storage = await openStorage(loaded.dataDir);
    try {
      const vault = await openVault({ storage, keyFile: vaultKeyFile(loaded.config.vault, loaded), allowGenerate: true, notice: (line) => output.err(line) });
      return { vault, close: () => storage.close() };
    } catch (error) {
      await storage.close();
      throw error;
    }
  };
}
