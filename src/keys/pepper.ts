import path from 'node:path';
import { readOrCreateSecret } from '../lib/secure-file.ts';

/** Where the client-key pepper lives inside `dataDir`. Kept apart from the database, so a leaked DB alone is less. */
export function pepperFile(dataDir: string): string {
  return path.join(dataDir, 'secrets', 'client-key-pepper');
}

/** Loads this instance's client-key pepper, generating it on first use. */
export function loadKeyPepper(dataDir: string): Promise<Buffer> {
  return readOrCreateSecret(pepperFile(dataDir));
}
