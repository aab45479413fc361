import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { substituteEnv } from '../config/env-substitution.ts';
import { configErrorMap, fromZodIssues } from '../config/issues.ts';
import { ConfigError, loadDataDir } from '../config/load.ts';
import { vaultSchema } from '../config/vault-schema.ts';
import { vaultKeyFile } from './open-vault.ts';

/** What the `credentials` and `vault` commands need from the config file. */
export interface VaultSettings {
  source: string | null;
  dataDir: string;
  keyFile: string;
  /** Provider id → the ids of its config credentials (`id` or `<provider>#<index>`). */
  providers: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads only `dataDir`, `vault` and the provider and credential ids from the config file. Like `rampart keys`, these
 * commands must not need the upstream secrets (`${VAR}`s under providers) in their environment, so only `dataDir`
 * and `vault` are substituted; ids cannot reference variables (their alphabet has no `$`).
 */
export async function loadVaultSettings(options: { path?: string | undefined; env?: Record<string, string | undefined> } = {}): Promise<VaultSettings> {
  const { source, dataDir } = await loadDataDir({ path: options.path, ...(options.env === undefined ? {} : { env: options.env }) });
  // loadDataDir has already refused a file that does not parse as YAML.
  const tree: unknown = source === null ? {} : parseDocument(await readFile(source, 'utf8'), { uniqueKeys: true, merge: false }).toJS({ maxAliasCount: 100 });
  const root = isRecord(tree) ? tree : {};
  const substituted = substituteEnv({ vault: root.vault }, options.env ?? process.env);
  if (substituted.issues.length > 0) throw new ConfigError(substituted.issues, source);
  const parsed = vaultSchema.safeParse((substituted.value as { vault: unknown }).vault, { error: configErrorMap });
  if (!parsed.success) throw new ConfigError(fromZodIssues(parsed.error.issues.map((i) => ({ ...i, path: ['vault', ...i.path] }))), source);
  const providers = new Map<string, string[]>();
  for (const entry of Array.isArray(root.providers) ? (root.providers as unknown[]) : []) {
    if (!isRecord(entry) || typeof entry.id !== 'string') continue;
    const providerId = entry.id;
    const credentials = Array.isArray(entry.credentials) ? (entry.credentials as unknown[]) : [];
    providers.set(
      providerId,
      credentials.map((c, i) => (isRecord(c) && typeof c.id === 'string' ? c.id : `${providerId}#${i}`)),
    );
  }
  return { source, dataDir, keyFile: vaultKeyFile(parsed.data, { source, dataDir }), providers };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
