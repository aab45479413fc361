import type { KeyObject } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import { renameDurable, removeDurable, writeFileAtomic } from '../lib/secure-file.ts';
import { credentialAad, openBlob, sealBlob } from './vault-cipher.ts';
import { VaultDecryptError } from './vault-errors.ts';
import { encodeVaultKey, keyCheckValue, keyMatches, VaultKeyError } from './vault-key.ts';
import { type KeyringOptions, type KeySource, currentVersion, pendingKeyFile, unlockVaultKey } from './vault-keyring.ts';

/** What a rotation needs: how to find the current key, the new key, and who is acting (for the audit log). */
export interface RotationOptions {
  keyring: KeyringOptions;
  newKey: KeyObject;
  audit?: AuditLog;
  actor?: string;
  /** Called after each re-encrypted credential (inside the transaction). */
  onProgress?: (done: number, total: number) => void;
  /** Called once the transaction committed (before the key file swap). */
  onCommitted?: (version: number) => void;
}

/** What a rotation did. */
export interface RotationResult {
  fromVersion: number;
  toVersion: number;
  reencrypted: number;
  source: KeySource;
}

/**
 * Re-encrypts every credential under a new key version in ONE database transaction, then retires the old version.
 * A crash before the commit leaves everything under the old key; after it, everything is under the new one. With a
 * key file, the new key is first written (synced) to `<keyFile>.next` and renamed over the key file after the commit;
 * a crash between the two is finished at the next start (unlockVaultKey), so the file and the database never part.
 */
export async function rotateVaultKey(options: RotationOptions): Promise<RotationResult> {
  const { keyring, newKey } = options;
  const unlocked = await unlockVaultKey({ ...keyring, allowGenerate: false });
  const versions = await keyring.store.keyVersions();
  const reused = versions.find((v) => keyMatches(newKey, v.checkValue));
  if (reused !== undefined) throw new VaultKeyError(`the new key is vault key version ${reused.version}: a rotation needs a key never used before (openssl rand -base64 32)`);
  const fromVersion = unlocked.version;
  const toVersion = Math.max(...versions.map((v) => v.version)) + 1;
  const details = { fromVersion, toVersion, credentials: await keyring.store.count(), keySource: unlocked.source.kind };
  // Durable before the change: if the audit log cannot take it, the rotation is refused.
  await options.audit?.recordDurable({ type: 'vault_rotated', actor: options.actor ?? 'cli', outcome: 'success', details });
  const keyFile = unlocked.source.kind === 'file' ? unlocked.source.path : undefined;
  const newText = encodeVaultKey(newKey);
  if (keyFile !== undefined) await writeFileAtomic(pendingKeyFile(keyFile), newText);
  let reencrypted: number;
  try {
    reencrypted = await keyring.store.rotate(
      fromVersion,
      { version: toVersion, checkValue: keyCheckValue(newKey), createdAt: new Date(keyring.now?.() ?? Date.now()), retiredAt: null },
      (record) => {
        const aad = credentialAad(record.id, record.providerId);
        let plaintext: Buffer;
        try {
          plaintext = openBlob(unlocked.key, aad, record.blob);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new VaultDecryptError(record.id, `${reason}; nothing was rotated: remove or restore it, then rotate again`);
        }
        try {
          return sealBlob(newKey, aad, plaintext);
        } finally {
          plaintext.fill(0);
        }
      },
      options.onProgress,
    );
  } catch (error) {
    // A failing commit can be ambiguous: ask the database. Unknown (it is gone too) → keep `.next`: the next start decides.
    const now = await keyring.store.keyVersions().then(currentVersion, () => undefined);
    if (now?.version !== toVersion) {
      if (keyFile !== undefined && now !== undefined) await removeDurable(pendingKeyFile(keyFile));
      options.audit?.record({ type: 'vault_rotated', actor: options.actor ?? 'cli', outcome: 'failure', details: { fromVersion, toVersion } });
      throw error;
    }
    reencrypted = details.credentials;
  }
  options.onCommitted?.(toVersion);
  if (keyFile !== undefined) {
    // Someone (a starting server finishing the swap) may have renamed it first; then the file already holds the key.
    if (!(await renameDurable(pendingKeyFile(keyFile), keyFile))) await writeFileAtomic(keyFile, newText);
  }
  return { fromVersion, toVersion, reencrypted, source: unlocked.source };
}
