import { Command } from 'commander';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockOAuth, startMockOAuth } from '../devtools/mock-oauth/index.ts';
import { MemoryVault } from '../oauth/test-support.ts';
import { registerLoginCommand } from './login-command.ts';
import { CliError } from './output.ts';

describe('rampart login (in-process, mock-oauth, in-memory vault)', () => {
  let dir: string;
  let mock: MockOAuth;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-login-'));
    mock = await startMockOAuth({ port: 0 });
    const endpoints = `{ authorizeUrl: "${mock.url}/authorize", tokenUrl: "${mock.url}/token", callbackPort: 0 }`;
    config = path.join(dir, 'rampart.yaml');
    await writeFile(
      config,
      `dataDir: ./data\nproviders:\n  - { id: claude-sub, type: anthropic, credentials: [{ apiKey: unused }], models: [claude-x] }\n  - { id: oa, type: openai, credentials: [{ apiKey: unused }], models: [gpt-x] }\n` +
        `oauth:\n  callbackTimeoutMs: 5000\n  claude: ${endpoints}\n  codex: ${endpoints}\n`,
    );
  });
  afterAll(async () => {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });

  interface Run {
    out: string[];
    err: string[];
    opened: number;
  }

  /** Runs `rampart login …` in-process; `user` plays the person at the terminal, seeing what was printed so far. */
  async function run(args: string[], vault: MemoryVault, user?: (printed: string[]) => Promise<string | undefined>, state: Run = { out: [], err: [], opened: 0 }): Promise<Run> {
    const output = { out: (line: string) => state.out.push(line), err: (line: string) => state.err.push(line) };
    const program = new Command('rampart').exitOverride().configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
    registerLoginCommand(program, output, {
      openVault: () => {
        state.opened++;
        return Promise.resolve({ vault, close: () => Promise.resolve() });
      },
      canOpenBrowser: () => false,
      ...(user === undefined ? {} : { readLine: () => user(state.err) }),
    });
    for (const command of program.commands) command.exitOverride();
    await program.parseAsync(args, { from: 'user' });
    return state;
  }

  /** Consents in "the browser" (the mock redirects at once) and returns where it was sent. */
  async function consent(printed: string[]): Promise<string> {
    const url = printed.join('\n').match(/(http:\/\/\S+\/authorize\?\S+)/)?.[1];
    if (url === undefined) throw new Error('no authorization URL printed');
    return (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
  }

  it('headless: prints the URL, takes the pasted redirect URL, stores the credential and prints its id, never a token', async () => {
    const vault = new MemoryVault();
    const result = await run(['login', 'claude', '--provider', 'claude-sub', '--headless', '--id', 'claude-me', '--config', config], vault, consent);
    expect(result.out).toEqual(['credential claude-me (provider claude-sub)']);
    expect(result.err.join('\n')).toContain('as mock-user@example.com');
    const stored = await vault.get('claude-me');
    expect(stored).toMatchObject({ providerId: 'claude-sub', kind: 'oauth', meta: { oauth: 'claude', email: 'mock-user@example.com' } });
    const printed = [...result.out, ...result.err].join('\n');
    expect(printed).not.toMatch(/mock-(at|rt)-/);
    for (const token of [...mock.state.issued().accessTokens, ...mock.state.issued().refreshTokens]) expect(printed).not.toContain(token);
  });

  it('headless: a redirect URL from another login (wrong state) is refused with one clear line', async () => {
    const vault = new MemoryVault();
    const stale = async (): Promise<string> => {
      const other = await fetch(`${mock.url}/authorize?response_type=code&client_id=x&redirect_uri=${encodeURIComponent('http://localhost:54545/callback')}&state=old&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { redirect: 'manual' });
      return other.headers.get('location')!;
    };
    const error = await run(['login', 'claude', '--provider', 'claude-sub', '--headless', '--config', config], vault, stale).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toMatch(/^login failed: the login callback carries the wrong state/);
    expect(await vault.list()).toEqual([]);
  });

  it('browser mode: waits on 127.0.0.1 and completes when the browser comes back', async () => {
    const vault = new MemoryVault();
    const state: Run = { out: [], err: [], opened: 0 };
    const running = run(['login', 'codex', '--provider', 'oa', '--no-browser', '--config', config], vault, undefined, state);
    let waiting: RegExpMatchArray | null = null;
    for (let i = 0; i < 300 && waiting === null; i++) {
      await new Promise((r) => setTimeout(r, 10));
      waiting = state.err.join('\n').match(/callback on http:\/\/127\.0\.0\.1:(\d+)\/auth\/callback/);
    }
    expect(waiting).not.toBeNull();
    const location = await consent(state.err);
    expect(location).toMatch(/^http:\/\/localhost:\d+\/auth\/callback\?/);
    const callback = await fetch(location.replace('//localhost:', '//127.0.0.1:'));
    expect(callback.status).toBe(200);
    const result = await running;
    expect(result.out[0]).toMatch(/^credential \S+ \(provider oa\)$/);
    expect((await vault.list())[0]).toMatchObject({ providerId: 'oa', meta: { oauth: 'codex', email: 'mock-user@example.com' } });
  });

  it('refuses an unknown login and a provider of the wrong type before opening the vault', async () => {
    const vault = new MemoryVault();
    await expect(run(['login', 'copilot', '--provider', 'oa', '--config', config], vault)).rejects.toThrow(/unknown login "copilot": use one of claude, codex, gemini/);
    await expect(run(['login', 'claude', '--provider', 'oa', '--config', config], vault)).rejects.toThrow(/type openai; a claude login needs type anthropic/);
    await expect(run(['login', 'gemini', '--provider', 'nope', '--config', config], vault)).rejects.toThrow(/no provider "nope"/);
    const state: Run = { out: [], err: [], opened: 0 };
    await run(['login', 'claude', '--provider', 'oa', '--config', config], vault, undefined, state).catch(() => undefined);
    expect(state.opened).toBe(0);
  });
});
