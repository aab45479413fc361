import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { substituteEnv } from './env-substitution.ts';
import type { Env } from './env-substitution.ts';
import { configErrorMap, fromZodIssues } from './issues.ts';
import type { ConfigIssue } from './issues.ts';
import { configSchema } from './schema.ts';
import type { RampartConfig } from './schema.ts';

/** The config file read when no path is given, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = 'rampart.yaml';

/** A config that cannot be used; the message lists every problem, one line each, by field path. */
export class ConfigError extends Error {
  /** Absolute path of the config file, or null for built-in defaults / text without a file. */
  readonly source: string | null;
  /** The problems, for callers that render them differently (e.g. a reload API). */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source: string | null) {
    const lines = issues.map((issue) => `${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`);
    // One problem stays on one line; several get one indented line each.
    const body = lines.length === 1 ? ` ${lines[0]}` : `\n${lines.map((line) => `  ${line}`).join('\n')}`;
    super(`invalid config${source === null ? '' : ` ${source}`}:${body}`);
    this.name = 'ConfigError';
    this.source = source;
    this.issues = issues;
  }
}

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  config: RampartConfig;
  /** Absolute path of the file read, or null when the built-in defaults are used. */
  source: string | null;
  /** `config.dataDir` made absolute against the config file's folder (or the working directory without a file). */
  dataDir: string;
}

/** Options shared by `loadConfig` and `parseConfig`. */
export interface ConfigOptions {
  /** Variables for `${NAME}` substitution; process.env by default. */
  env?: Env;
  /** Base of relative paths; process.cwd() by default. */
  cwd?: string;
}

/**
 * Reads, substitutes and validates a config file. Without `path`, `./rampart.yaml` is read when it exists and the
 * built-in defaults are used when it does not; an explicit `path` that does not exist is an error.
 */
export async function loadConfig(options: ConfigOptions & { path?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const { text, source } = await readConfigText(options.path, cwd);
  return parseConfig(text, { ...options, source, cwd });
}

/**
 * Resolves only `dataDir` from a config file, for commands that manage stored state (`rampart keys …`). They must
 * not need the upstream secrets (`${VAR}`s elsewhere in the file) in their environment; only `dataDir` is substituted
 * and validated. `rampart serve` validates the whole file.
 */
export async function loadDataDir(options: ConfigOptions & { path?: string } = {}): Promise<{ source: string | null; dataDir: string }> {
  const cwd = options.cwd ?? process.cwd();
  const { text, source } = await readConfigText(options.path, cwd);
  const fail = (issues: ConfigIssue[]): never => {
    throw new ConfigError(issues, source);
  };
  const tree = parseYaml(text, fail);
  const raw = tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? (tree as Record<string, unknown>).dataDir : undefined;
  const substituted = substituteEnv({ dataDir: raw }, options.env ?? process.env);
  if (substituted.issues.length > 0) fail(substituted.issues);
  const result = configSchema.shape.dataDir.safeParse((substituted.value as { dataDir: unknown }).dataDir, { error: configErrorMap });
  if (!result.success) return fail(fromZodIssues(result.error.issues.map((issue) => ({ ...issue, path: ['dataDir', ...issue.path] }))));
  return { source, dataDir: path.resolve(source === null ? cwd : path.dirname(source), result.data) };
}

/** The config text and its absolute path; '' with a null source when the default file is absent. */
async function readConfigText(file: string | undefined, cwd: string): Promise<{ text: string; source: string | null }> {
  const source = path.resolve(cwd, file ?? DEFAULT_CONFIG_FILE);
  try {
    return { text: await readFile(source, 'utf8'), source };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && file === undefined) return { text: '', source: null };
    const reason = code === 'ENOENT' ? 'file does not exist' : `cannot read the file (${code ?? 'unknown error'})`;
    throw new ConfigError([{ path: '', message: reason }], source);
  }
}

/** Parses YAML text into a validated config; throws ConfigError listing every problem. */
export function parseConfig(text: string, options: ConfigOptions & { source?: string | null } = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const source = options.source ? path.resolve(cwd, options.source) : null;
  const fail = (issues: ConfigIssue[]): never => {
    throw new ConfigError(issues, source);
  };

  const tree = parseYaml(text, fail);
  if (tree !== null && (typeof tree !== 'object' || Array.isArray(tree))) {
    fail([{ path: '', message: 'the top level must be a mapping of settings (key: value)' }]);
  }

  const substituted = substituteEnv(tree ?? {}, options.env ?? process.env);
  if (substituted.issues.length > 0) fail(substituted.issues);

  const result = configSchema.safeParse(substituted.value, { error: configErrorMap });
  if (!result.success) return fail(fromZodIssues(result.error.issues));

  const base = source === null ? cwd : path.dirname(source);
  return { config: result.data, source, dataDir: path.resolve(base, result.data.dataDir) };
}

/** YAML text to plain data, null for an empty document; syntax problems are reported with line and column. */
function parseYaml(text: string, fail: (issues: ConfigIssue[]) => never): unknown {
  const lineCounter = new LineCounter();
  // Plain YAML 1.2 core schema: no custom tags, no merge keys, duplicate keys rejected.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  // Warnings (e.g. an unresolved `!tag`) are errors here: the file would not mean what its author thinks.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    fail(
      problems.map((problem) => {
        const { line, col } = lineCounter.linePos(problem.pos[0]);
        // yaml's own text for this case tells a programmer to call another API; a config author needs this instead.
        const text =
          problem.code === 'MULTIPLE_DOCS' ? 'a config file must hold a single YAML document' : problem.message;
        return { path: '', message: `YAML line ${line}, column ${col}: ${text}` };
      }),
    );
  }
  try {
    // The alias cap stops "billion laughs" expansion.
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    return fail([{ path: '', message: `YAML: ${error instanceof Error ? error.message : String(error)}` }]);
  }
}
