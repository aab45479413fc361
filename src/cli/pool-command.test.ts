import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.ts';
import type { CooldownRecord } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { CliError } from './output.ts';
import { registerPoolCommand } from './pool-command.ts';

const HOUR = 3_600_000;

/** Runs `rampart <args>` in-process with only the pool command registered, capturing what it prints. */
async function run(args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const output = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  const program = new Command('rampart').exitOverride().configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
  registerPoolCommand(program, output);
  for (const command of program.commands) command.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('rampart pool', () => {
  let dir: string;
  let config: string;
  const soon = new Date(Date.now() + HOUR);
  const seeded: CooldownRecord[] = [
    { credentialId: 'a#0', model: '*', until: soon, kind: 'auth', failures: 1 },
    { credentialId: 'a#1', model: 'gpt-x', until: soon, kind: 'rate_limited', failures: 4 },
    { credentialId: 'ab#0', model: 'gpt-x', until: soon, kind: 'server_error', failures: 1 },
    // Expired: only remembers a back-off streak, so it is not shown.
    { credentialId: 'b#0', model: 'gpt-x', until: new Date(Date.now() - 1000), kind: 'rate_limited', failures: 2 },
  ];

  async function seed(records: CooldownRecord[]): Promise<void> {
    const storage = await openSqliteStorage(path.join(dir, 'data'));
    try {
      for (const record of records) await storage.cooldowns.upsert(record);
    } finally {
      await storage.close();
    }
  }

  async function stored(): Promise<string[]> {
    const storage = await openSqliteStorage(path.join(dir, 'data'));
    try {
      return (await storage.cooldowns.list()).map((r) => r.credentialId);
    } finally {
      await storage.close();
    }
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-pool-cli-'));
    config = path.join(dir, 'rampart.yaml');
    // The upstream key's variable is unset: pool commands must not need upstream secrets.
    await writeFile(config, 'dataDir: ./data\nproviders:\n  - id: a\n    credentials:\n      - apiKey: ${RAMPART_TEST_UNSET_KEY}\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says when nothing cools', async () => {
    expect((await run(['pool', 'status', '--config', config])).out).toEqual(['No credential is cooling down.']);
    expect((await run(['pool', 'status', '--json', '--config', config])).out).toEqual(['[]']);
  });

  it('lists active cooldowns as a table and as JSON', async () => {
    await seed(seeded);
    const table = (await run(['pool', 'status', '--config', config])).out;
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^CREDENTIAL\s+MODEL\s+KIND\s+FAILURES\s+UNTIL$/);
    expect(table[1]).toMatch(/^a#0\s+\* \(all models\)\s+auth\s+1\s+\S+Z \(in (59m\d\ds|1h00m)\)$/);
    expect(table[2]).toMatch(/^a#1\s+gpt-x\s+rate_limited\s+4\s/);
    expect(table[3]).toMatch(/^ab#0\s/);
    expect(table.some((line) => line.startsWith('b#0'))).toBe(false);

    const json = JSON.parse((await run(['pool', 'status', '--json', '--config', config])).out.join('')) as unknown;
    expect(json).toEqual(
      seeded.slice(0, 3).map((r) => ({ credentialId: r.credentialId, model: r.model, kind: r.kind, until: r.until.toISOString(), failures: r.failures })),
    );
  });

  it("resets one provider's credentials by id prefix, then everything", async () => {
    await seed(seeded);
    expect((await run(['pool', 'reset', '--provider', 'a', '--config', config])).out).toEqual(['Cleared 2 cooldowns of provider "a".']);
    expect(await stored()).toEqual(['ab#0', 'b#0']);
    expect((await run(['pool', 'reset', '--config', config])).out).toEqual(['Cleared 1 cooldown.']);
    // The expired streak row goes too, so back-off starts over.
    expect(await stored()).toEqual([]);
  });

  it('fails with one clear line for a blank provider or a missing config file', async () => {
    await expect(run(['pool', 'reset', '--provider', ' ', '--config', config])).rejects.toThrow(new CliError('--provider needs a provider id'));
    await expect(run(['pool', 'status', '--config', path.join(dir, 'missing.yaml')])).rejects.toThrow(ConfigError);
  });
});
