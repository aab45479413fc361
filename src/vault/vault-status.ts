import type { VaultStore } from '../storage/ports.ts';
import { VAULT_KEY_ENV, keyMatches, parseVaultKey } from './vault-key.ts';
import { currentVersion, pendingKeyFile, readKeyFile } from './vault-keyring.ts';

/** Whether the key this process would use opens the current version. */
export type KeyState = 'opens' | 'wrong' | 'missing' | 'invalid' | 'pending-swap';

/** What `rampart vault status` shows: where the key comes from, versions and counts. Never a secret. */
export interface VaultStatus {
  keySource: { kind: 'env'; name: string } | { kind: 'file'; path: string };
  key: KeyState;
  /** Why the key is invalid (a parse error naming its origin), when it is. */
  keyProblem?: string;
  currentVersion: number | null;
  versions: { version: number; state: 'current' | 'retired'; createdAt: string; retiredAt: string | null; credentials: number }[];
  credentials: number;
}

/**
 * Inspects the vault without changing anything (no key is generated, no pending key file swap is finished: that is
 * the next start's job).
 */
export async function vaultStatus(store: VaultStore, env: Readonly<Record<string, string | undefined>>, keyFile: string): Promise<VaultStatus> {
  const versions = await store.keyVersions();
  const current = currentVersion(versions);
  const counts = new Map<number, number>();
  const credentials = await store.list();
  for (const c of credentials) counts.set(c.keyVersion, (counts.get(c.keyVersion) ?? 0) + 1);
  const envSet = env[VAULT_KEY_ENV] !== undefined;
  const keySource: VaultStatus['keySource'] = envSet ? { kind: 'env', name: VAULT_KEY_ENV } : { kind: 'file', path: keyFile };
  let key: KeyState;
  let keyProblem: string | undefined;
  try {
    key = await judgeKey(env, keyFile, current?.checkValue);
  } catch (error) {
    key = 'invalid';
    keyProblem = error instanceof Error ? error.message : String(error);
  }
  return {
    keySource,
    key,
    ...(keyProblem === undefined ? {} : { keyProblem }),
    currentVersion: current?.version ?? null,
    versions: versions.map((v) => ({
      version: v.version,
      state: v.version === current?.version ? 'current' : 'retired',
      createdAt: v.createdAt.toISOString(),
      retiredAt: v.retiredAt?.toISOString() ?? null,
      credentials: counts.get(v.version) ?? 0,
    })),
    credentials: credentials.length,
  };
}

async function judgeKey(env: Readonly<Record<string, string | undefined>>, keyFile: string, check: string | undefined): Promise<KeyState> {
  const envText = env[VAULT_KEY_ENV];
  const key = envText === undefined ? await readKeyFile(keyFile) : parseVaultKey(envText, VAULT_KEY_ENV);
  if (envText === undefined && (key === undefined || (check !== undefined && !keyMatches(key, check)))) {
    const next = await readKeyFile(pendingKeyFile(keyFile)).catch(() => undefined);
    if (next !== undefined && check !== undefined && keyMatches(next, check)) return 'pending-swap';
  }
  if (key === undefined) return 'missing';
  if (check === undefined) return 'opens';
  return keyMatches(key, check) ? 'opens' : 'wrong';
}
