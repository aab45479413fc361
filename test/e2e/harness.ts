import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root, where bin/rampart.js lives. */
export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'rampart.js');

/** A CLI process started by a test, with everything it printed so far. */
export interface RunningProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Waits until stdout+stderr match `pattern`, returning the match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after a grace period; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `rampart <args>` as a real child process with the project's Node. With `stdin: 'pipe'` the test writes to
 * `child.stdin` (e.g. a pasted redirect URL); standard input is closed otherwise.
 */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: 'pipe' } = {}): RunningProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const { stdout, stderr } = child;
  if (stdout === null || stderr === null) throw new Error('child process has no output pipes');
  stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    async waitFor(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = (out + err).match(pattern);
        if (match) return match;
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before printing ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `rampart <args>` to completion. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = startCli(args, options);
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
  return { code, stdout: proc.stdout(), stderr: proc.stderr() };
}

/** A scratch folder for one test file's config and data. */
export async function makeWorkdir(): Promise<{ dir: string; writeConfig(yaml: string): Promise<string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rampart-e2e-'));
  return {
    dir,
    async writeConfig(yaml) {
      const file = path.join(dir, 'rampart.yaml');
      await writeFile(file, yaml);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
