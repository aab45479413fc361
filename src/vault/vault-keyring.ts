import type { KeyObject } from 'node:crypto';
import { createFileExclusive, readFileIfExists, removeDurable, renameDurable } from '../lib/secure-file.ts';
import type { VaultKeyRecord, VaultStore } from '../storage/ports.ts';
import { VAULT_KEY_ENV, VaultKeyError, encodeVaultKey, generateVaultKey, keyCheckValue, keyMatches, parseVaultKey } from './vault-key.ts';

/** Where the vault key came from; shown by `vault status` (never the key). */
export type KeySource = { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** A key that opens the vault's current version. */
export interface UnlockedKey {
  version: number;
  key: KeyObject;
  source: KeySource;
}

/** How to find the vault key. */
export interface KeyringOptions {
  store: VaultStore;
  /** Variables read for RAMPART_VAULT_KEY (process.env in production). */
  env: Readonly<Record<string, string | undefined>>;
  /** The key file used when RAMPART_VAULT_KEY is unset (`vault.keyFile`, default `<dataDir>/vault.key`). */
  keyFile: string;
  /** Create a key when none exists and no credential needs an old one (first start). */
  allowGenerate: boolean;
  /** Operator-facing lines (stderr): the shown-once key goes here, never to the process log. */
  notice: (line: string) => void;
  now?: () => number;
}

/** The file a rotation writes the new key to before its commit; renamed over the key file after it. */
export function pendingKeyFile(keyFile: string): string {
  return `${keyFile}.next`;
}

/** The version new writes go under: the highest one not retired. */
export function currentVersion(versions: readonly VaultKeyRecord[]): VaultKeyRecord | undefined {
  let current: VaultKeyRecord | undefined;
  for (const v of versions) if (v.retiredAt === null && (current === undefined || v.version > current.version)) current = v;
  return current;
}

/** Reads and parses a key file; undefined when it does not exist. */
export async function readKeyFile(file: string): Promise<KeyObject | undefined> {
  const bytes = await readFileIfExists(file);
  if (bytes === undefined) return undefined;
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return parseVaultKey(text, `key file ${file}`);
}

/** The refusal for a key that does not open the current version; says so when it opens a retired one. */
export function wrongKeyError(origin: string, key: KeyObject, versions: readonly VaultKeyRecord[], current: VaultKeyRecord): VaultKeyError {
  const retired = versions.find((v) => v.retiredAt !== null && keyMatches(key, v.checkValue));
  if (retired !== undefined) {
    return new VaultKeyError(
      `${origin} opens vault key version ${retired.version}, which a rotation retired; the vault is on version ${current.version}: use the new key`,
    );
  }
  return new VaultKeyError(`${origin} does not open vault key version ${current.version} (wrong key?)`);
}

/**
 * Finds the key that opens the vault's current version: RAMPART_VAULT_KEY when set, else the key file. Finishes a key
 * file swap that a crash interrupted (the database committed the new version, `<keyFile>.next` holds its key), drops a
 * `.next` whose rotation never committed, and on a first start generates a key, writes it atomically (0600) and shows
 * it once through `notice`. A missing or wrong key is a VaultKeyError with a clear message, never a guess.
 */
export async function unlockVaultKey(options: KeyringOptions): Promise<UnlockedKey> {
  const { store, keyFile } = options;
  const versions = await store.keyVersions();
  const current = currentVersion(versions);
  const envText = options.env[VAULT_KEY_ENV];
  if (envText !== undefined) {
    const key = parseVaultKey(envText, VAULT_KEY_ENV);
    const source: KeySource = { kind: 'env', name: VAULT_KEY_ENV };
    if (current === undefined) return adopt(options, key, source);
    if (!keyMatches(key, current.checkValue)) throw wrongKeyError(VAULT_KEY_ENV, key, versions, current);
    return { version: current.version, key, source };
  }
  const source: KeySource = { kind: 'file', path: keyFile };
  const fileKey = await readKeyFile(keyFile);
  if (current === undefined) {
    if (fileKey !== undefined) return adopt(options, fileKey, source);
    return generateFirstKey(options, source);
  }
  const next = pendingKeyFile(keyFile);
  // A `.next` beside a key that still opens the current version belongs to a rotation that has not committed (or never
  // will): it is left alone, because that rotation may still be running; the next rotation overwrites it.
  if (fileKey !== undefined && keyMatches(fileKey, current.checkValue)) return { version: current.version, key: fileKey, source };
  const nextKey = await readKeyFile(next);
  if (nextKey !== undefined && keyMatches(nextKey, current.checkValue)) {
    // The rotation committed but crashed before swapping the files: finish it. Another process may win the rename.
    await renameDurable(next, keyFile);
    const swapped = await readKeyFile(keyFile);
    if (swapped === undefined || !keyMatches(swapped, current.checkValue)) throw new VaultKeyError(`key file ${keyFile} changed while a key rotation was being finished; start again`);
    options.notice(`vault: finished an interrupted key rotation: ${keyFile} now holds key version ${current.version}`);
    return { version: current.version, key: swapped, source };
  }
  if (fileKey !== undefined) throw wrongKeyError(`the key in ${keyFile}`, fileKey, versions, current);
  const stored = await store.count();
  if (stored > 0 || !options.allowGenerate) {
    throw new VaultKeyError(
      `the vault holds ${stored} credential(s) under key version ${current.version} but no key was found: set ${VAULT_KEY_ENV} or restore ${keyFile} from your backup`,
    );
  }
  return replaceUnusedKey(options, source, current);
}

/** Records `key` as version 1 of a vault that has no key history yet (or checks it against a racing process's). */
async function adopt(options: KeyringOptions, key: KeyObject, source: KeySource): Promise<UnlockedKey> {
  const now = new Date(options.now?.() ?? Date.now());
  if (await options.store.initKey({ version: 1, checkValue: keyCheckValue(key), createdAt: now, retiredAt: null })) return { version: 1, key, source };
  const versions = await options.store.keyVersions();
  const current = currentVersion(versions);
  if (current === undefined) throw new VaultKeyError('the vault key history is inconsistent: no current key version');
  const origin = source.kind === 'env' ? source.name : `the key in ${source.path}`;
  if (!keyMatches(key, current.checkValue)) throw wrongKeyError(origin, key, versions, current);
  return { version: current.version, key, source };
}

/** First start: a new key in the key file (exclusive create, so racing processes agree), shown once. */
async function generateFirstKey(options: KeyringOptions, source: KeySource & { kind: 'file' }): Promise<UnlockedKey> {
  if (!options.allowGenerate) throw new VaultKeyError(`no vault key yet: set ${VAULT_KEY_ENV}, or start \`rampart serve\` once to generate ${source.path}`);
  const generated = generateVaultKey();
  if (!(await createFileExclusive(source.path, encodeVaultKey(generated.key)))) {
    const winner = await readKeyFile(source.path);
    if (winner === undefined) throw new VaultKeyError(`key file ${source.path} disappeared while it was being created; start again`);
    return adopt(options, winner, source);
  }
  const unlocked = await adopt(options, generated.key, source);
  showOnce(options.notice, generated.text, source.path, unlocked.version);
  return unlocked;
}

/**
 * The key of an EMPTY vault is lost: nothing can be lost by starting a new version, so do that (as a rotation with
 * nothing to re-encrypt, which fails if a credential appears meanwhile) instead of leaving the operator stuck.
 */
async function replaceUnusedKey(options: KeyringOptions, source: KeySource & { kind: 'file' }, current: VaultKeyRecord): Promise<UnlockedKey> {
  const generated = generateVaultKey();
  if (!(await createFileExclusive(source.path, encodeVaultKey(generated.key)))) {
    throw new VaultKeyError(`key file ${source.path} appeared while a new key was being made; start again`);
  }
  const version = current.version + 1;
  try {
    await options.store.rotate(current.version, { version, checkValue: keyCheckValue(generated.key), createdAt: new Date(options.now?.() ?? Date.now()), retiredAt: null }, () => {
      throw new VaultKeyError('a credential was added while a new vault key was being made; start again');
    });
  } catch (error) {
    await removeDurable(source.path);
    throw error;
  }
  options.notice(`vault: no key was found for key version ${current.version}, and the vault holds no credentials: starting key version ${version}`);
  showOnce(options.notice, generated.text, source.path, version);
  return { version, key: generated.key, source };
}

/** The one time a generated key is shown: on the operator's terminal, with the reason to keep it. */
function showOnce(notice: (line: string) => void, text: string, file: string, version: number): void {
  notice(`vault: generated vault key version ${version} and saved it to ${file} (mode 0600).`);
  notice('vault: store a copy somewhere safe NOW (e.g. a password manager); it is shown only this once:');
  notice(`vault:     ${text}`);
  notice(`vault: without it, stored upstream credentials cannot be decrypted (e.g. after restoring a backup), and ${VAULT_KEY_ENV} can carry it instead of the file.`);
}
