import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDir } from '../lib/secure-file.ts';

/** File names inside the audit directory (docs/audit.md). */
export const AUDIT_FILE_NAMES = {
  /** The hash-chained records, one JSON line each. */
  log: 'audit.jsonl',
  /** Signed pointer to the last durable record: detects a truncated tail. */
  head: 'audit.head.json',
  /** Salt of `fingerprint()` (32 random bytes). */
  salt: 'fingerprint.salt',
  /** Ed25519 private key signing checkpoints and the head file (PKCS#8 PEM). */
  privateKey: 'checkpoint-key.pem',
  /** Its public key (SPKI PEM): copy it elsewhere and pass it to `rampart audit verify --public-key`. */
  publicKey: 'checkpoint-key.pub.pem',
  /** Cross-process writer lock (an empty SQLite file; the OS releases its lock when a holder dies). */
  lock: 'audit.lock',
} as const;

/** Absolute paths of the audit files in `dir`. */
export type AuditPaths = { dir: string } & { [K in keyof typeof AUDIT_FILE_NAMES]: string };

/** The audit directory: `audit.dir` from the config (relative to the config file's folder) or `<dataDir>/audit`. */
export function auditDirFor(dataDir: string, configured: string | undefined, configFile: string | null): string {
  if (configured === undefined) return path.join(dataDir, 'audit');
  return path.resolve(configFile === null ? process.cwd() : path.dirname(configFile), configured);
}

/** Paths of every audit file in `dir`. */
export function auditPaths(dir: string): AuditPaths {
  const entries = Object.entries(AUDIT_FILE_NAMES).map(([key, name]) => [key, path.join(dir, name)]);
  return { dir, ...Object.fromEntries(entries) } as AuditPaths;
}

/** Creates the audit directory (0700), tightening an existing one. */
export async function ensureAuditDir(dir: string): Promise<void> {
  await ensurePrivateDir(dir);
  await chmod(dir, 0o700);
}
