import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditLog, AuditUnavailableError, MemoryAuditLog } from '../audit/audit-log.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { type BlocksCommandDeps, registerBlocksCommand } from './blocks-command.ts';
import { CliError } from './output.ts';

/** Runs `rampart <args>` in-process with only the blocks command registered, capturing what it prints. */
async function run(args: string[], deps: BlocksCommandDeps = {}): Promise<string[]> {
  const out: string[] = [];
  const output = { out: (line: string) => out.push(line), err: () => undefined };
  const program = new Command('rampart').exitOverride().configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: () => undefined });
  registerBlocksCommand(program, output, deps);
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return out;
}

describe('rampart blocks', () => {
  let dir: string;
  let config: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-blocks-cli-'));
    config = path.join(dir, 'rampart.yaml');
    // An unset upstream key: block commands must not need upstream secrets.
    await writeFile(config, 'dataDir: ./data\nproviders:\n  - id: a\n    credentials:\n      - apiKey: ${RAMPART_TEST_UNSET_KEY}\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function storedIps(): Promise<string[]> {
    const storage = await openSqliteStorage(path.join(dir, 'data'));
    try {
      return (await storage.ipBlocks.list()).map((b) => b.ip);
    } finally {
      await storage.close();
    }
  }

  it('adds, lists and lifts a block, normalising the address, and audits both changes durably', async () => {
    const audit = new MemoryAuditLog();
    const deps = { openAudit: () => Promise.resolve(audit) };
    expect(await run(['blocks', 'list', '--config', config])).toEqual(['No address is blocked.']);
    const added = await run(['blocks', 'add', '::ffff:192.0.2.8', '--minutes', '30', '--reason', 'scanner', '--config', config], deps);
    expect(added[0]).toMatch(/^Blocked 192\.0\.2\.8 until \d{4}-/);
    expect(await storedIps()).toEqual(['192.0.2.8']);
    const listed = JSON.parse((await run(['blocks', 'list', '--json', '--config', config]))[0]!) as { ip: string; reason: string; createdBy: string; until: string }[];
    expect(listed).toEqual([expect.objectContaining({ ip: '192.0.2.8', reason: 'scanner', createdBy: 'cli' })]);
    const minutesLeft = (Date.parse(listed[0]!.until) - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(29);
    expect(minutesLeft).toBeLessThanOrEqual(30);
    expect(await run(['blocks', 'lift', '192.0.2.8', '--config', config], deps)).toEqual(['Lifted the block of 192.0.2.8.']);
    expect(await storedIps()).toEqual([]);
    expect(audit.events.map((e) => [e.type, e.actor, e.ip])).toEqual([
      ['ip_blocked', 'cli', '192.0.2.8'],
      ['ip_unblocked', 'cli', '192.0.2.8'],
    ]);
  });

  it('refuses bad input with one clear line', async () => {
    await expect(run(['blocks', 'add', 'localhost', '--minutes', '5', '--config', config])).rejects.toThrow(CliError);
    await expect(run(['blocks', 'add', '192.0.2.1', '--minutes', '1.5', '--config', config])).rejects.toThrow(/--minutes must be/);
    await expect(run(['blocks', 'add', '192.0.2.1', '--minutes', '999999', '--config', config])).rejects.toThrow(/--minutes must be/);
    await expect(run(['blocks', 'add', '192.0.2.1', '--minutes', '5', '--reason', 'a\nb', '--config', config])).rejects.toThrow(/--reason/);
    await expect(run(['blocks', 'lift', '192.0.2.1', '--config', config])).rejects.toThrow(/192\.0\.2\.1 is not blocked/);
    expect(await storedIps()).toEqual([]);
  });

  it('fails closed: no change when the audit log cannot be written', async () => {
    const broken: AuditLog = Object.assign(new MemoryAuditLog(), { recordDurable: () => Promise.reject(new AuditUnavailableError()) });
    await expect(run(['blocks', 'add', '192.0.2.9', '--minutes', '5', '--config', config], { openAudit: () => Promise.resolve(broken) })).rejects.toThrow(/^refused: /);
    expect(await storedIps()).toEqual([]);
  });
});
