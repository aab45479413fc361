import { checkDataDirPermissions } from '../lib/data-dir-permissions.ts';
import type { Storage } from '../storage/ports.ts';
import { openStorage } from '../storage/open-storage.ts';
import type { CliOutput } from './output.ts';

/** The program-wide override, as every command's options carry it (set by the CLI's preAction hook). */
export interface PermissionFlag {
  allowInsecurePermissions?: boolean;
}

/**
 * Opens the data folder's storage for a state command (`keys`, `pool`, `usage`, `blocks`, `audit`, `login`): like
 * `serve`, it refuses a data folder others can read (naming the exact chmod commands) unless
 * `--allow-insecure-permissions` is given, which prints a loud warning instead.
 */
export async function openStateStorage(dataDir: string, flags: PermissionFlag, output: CliOutput, extraFiles: readonly string[] = []): Promise<Storage> {
  await checkDataDirPermissions(dataDir, { extraFiles, allowInsecure: flags.allowInsecurePermissions === true, warn: (message) => output.err(message) });
  return openStorage(dataDir);
}
