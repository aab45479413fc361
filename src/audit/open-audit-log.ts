import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { AuditConfig } from '../config/audit-schema.ts';
import { auditSchema } from '../config/audit-schema.ts';
import { substituteEnv } from '../config/env-substitution.ts';
import { configErrorMap, fromZodIssues } from '../config/issues.ts';
import { ConfigError, loadDataDir } from '../config/load.ts';
import type { AuditEventStore } from '../storage/ports.ts';
import { auditDirFor, auditPaths } from './audit-files.ts';
import { AuditWriter } from './audit-writer.ts';

/** What opening the audit log needs: the resolved data folder, the config file (for relative paths), `audit:`. */
export interface AuditLogSetup {
  dataDir: string;
  /** Absolute path of the config file, or null for built-in defaults. */
  configFile: string | null;
  config: AuditConfig;
}

/** Opens the hash-chained audit log as configured; `store` mirrors it into the database. */
export function openAuditLog(setup: AuditLogSetup, store: AuditEventStore | undefined, onProblem?: (message: string, code: string) => void): Promise<AuditWriter> {
  const { config } = setup;
  return AuditWriter.open({
    paths: auditPaths(auditDirFor(setup.dataDir, config.dir, setup.configFile)),
    store,
    writeTimeoutMs: config.writeTimeoutMs,
    flushIntervalMs: config.flushIntervalMs,
    batchSize: config.batchSize,
    maxQueuedEvents: config.maxQueuedEvents,
    checkpoint: config.checkpoint,
    ...(onProblem === undefined ? {} : { onProblem }),
  });
}

/**
 * Resolves `dataDir` and the `audit:` section only, for CLI commands (`keys`, `audit`): like `loadDataDir`, they must
 * not need the upstream secrets other `${VAR}`s of the file refer to.
 */
export async function loadAuditSetup(options: { path?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Promise<AuditLogSetup> {
  const { source, dataDir } = await loadDataDir(options.path === undefined ? {} : { path: options.path });
  let raw: unknown;
  if (source !== null) {
    // loadDataDir has read and parsed this file already, so it is readable, valid YAML.
    const tree: unknown = parse(await readFile(source, 'utf8'));
    raw = tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? (tree as Record<string, unknown>).audit : undefined;
  }
  const substituted = substituteEnv({ audit: raw }, options.env ?? process.env);
  if (substituted.issues.length > 0) throw new ConfigError(substituted.issues, source);
  const result = auditSchema.safeParse((substituted.value as { audit: unknown }).audit, { error: configErrorMap });
  if (!result.success) throw new ConfigError(fromZodIssues(result.error.issues.map((issue) => ({ ...issue, path: ['audit', ...issue.path] }))), source);
  return { dataDir, configFile: source, config: result.data };
}
