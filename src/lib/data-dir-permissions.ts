import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** One path whose mode lets someone other than its owner in. */
export interface PermissionProblem {
  path: string;
  kind: 'directory' | 'file';
  /** The permission bits found (e.g. 0o644). */
  mode: number;
  /** The mode it must have: 0700 for folders, 0600 for files. */
  wanted: number;
}

/** More entries than this are not walked: a data folder holds a handful of files, not a tree to audit. */
const MAX_ENTRIES = 10_000;

/**
 * Finds every folder and file under `dataDir` (itself included) and every extra file (e.g. a key file kept elsewhere)
 * that grants any group or other permission. Symbolic links are not followed (their own mode means nothing) and
 * missing paths are skipped: what does not exist yet is created private.
 */
export async function findInsecurePermissions(dataDir: string, extraFiles: readonly string[] = []): Promise<PermissionProblem[]> {
  const problems: PermissionProblem[] = [];
  let seen = 0;
  const visit = async (target: string): Promise<void> => {
    if (++seen > MAX_ENTRIES) return;
    const info = await lstatIfExists(target);
    if (info === undefined || info.isSymbolicLink()) return;
    const mode = info.mode & 0o777;
    if (info.isDirectory()) {
      if ((mode & 0o077) !== 0) problems.push({ path: target, kind: 'directory', mode, wanted: 0o700 });
      for (const entry of await readdir(target)) await visit(path.join(target, entry));
    } else if (info.isFile() && (mode & 0o077) !== 0) {
      problems.push({ path: target, kind: 'file', mode, wanted: 0o600 });
    }
  };
  await visit(path.resolve(dataDir));
  const root = path.resolve(dataDir) + path.sep;
  for (const file of extraFiles) {
    const absolute = path.resolve(file);
    if (!absolute.startsWith(root)) await visit(absolute);
  }
  return problems;
}

/** Quotes a path for a POSIX shell only when it needs it, so the printed command can be pasted as is. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The exact commands that fix `problems`, one per line (folders first, so their files can be reached). */
export function chmodCommands(problems: readonly PermissionProblem[]): string[] {
  const ordered = [...problems].sort((a, b) => (a.kind === b.kind ? a.path.localeCompare(b.path) : a.kind === 'directory' ? -1 : 1));
  return ordered.map((p) => `chmod ${p.wanted.toString(8)} ${shellQuote(p.path)}`);
}

/** Thrown at boot when the data folder is readable by others; the message carries the commands to fix it. */
export class InsecurePermissionsError extends Error {
  override readonly name = 'InsecurePermissionsError';
  readonly problems: readonly PermissionProblem[];

  constructor(problems: readonly PermissionProblem[], flag: string) {
    super(describeProblems(problems, `Fix them, or start with ${flag} to proceed anyway (not recommended)`));
    this.problems = problems;
  }
}

/** The problems and their fix as one message: a summary line, then one command per line. */
export function describeProblems(problems: readonly PermissionProblem[], advice: string): string {
  const shown = problems.slice(0, 20).map((p) => `${p.path} is ${p.mode.toString(8).padStart(3, '0')}`);
  const more = problems.length > shown.length ? ` and ${problems.length - shown.length} more` : '';
  const commands = chmodCommands(problems);
  return [
    `insecure permissions: the data folder and its files must be private to their owner (folders 700, files 600), but ${shown.join(', ')}${more}.`,
    `${advice}. Run:`,
    ...commands.map((c) => `  ${c}`),
  ].join('\n');
}

/** Options of `checkDataDirPermissions`. */
export interface PermissionCheckOptions {
  /** Files outside dataDir that hold secrets too (e.g. `vault.keyFile`). */
  extraFiles?: readonly string[];
  /** Proceed despite problems (after `warn`) instead of refusing. */
  allowInsecure?: boolean;
  /** The override flag's name, quoted in the refusal. */
  flag?: string;
  /** Where the loud warning goes when `allowInsecure` lets problems through. */
  warn?: (message: string) => void;
}

/**
 * Refuses (throws InsecurePermissionsError) when the data folder or a file in it grants group/other permissions;
 * with `allowInsecure` it warns instead. Secrets live there: a world-readable key file is a leaked key.
 */
export async function checkDataDirPermissions(dataDir: string, options: PermissionCheckOptions = {}): Promise<void> {
  const problems = await findInsecurePermissions(dataDir, options.extraFiles);
  if (problems.length === 0) return;
  const flag = options.flag ?? '--allow-insecure-permissions';
  if (options.allowInsecure !== true) throw new InsecurePermissionsError(problems, flag);
  options.warn?.(`WARNING: ${describeProblems(problems, `Proceeding only because ${flag} is set: anyone with these permissions can read secrets`)}`);
}

async function lstatIfExists(target: string) {
  try {
    return await lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
