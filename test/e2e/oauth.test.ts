import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * OAuth logins and token refresh end to end, with real processes: `rampart login claude --headless` against
 * `rampart mock-oauth` (the test plays the browser and the person pasting the redirect URL), then `rampart serve`
 * proxying to `rampart mock-upstream` with the OAuth access token. Every process output and every file in the data
 * folder is searched for the tokens the fake server issued: none may appear.
 */
describe('OAuth: login, proxy with the token, single-flight refresh (real processes)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let oauth: RunningProcess;
  let upstream: RunningProcess;
  let serve: RunningProcess | undefined;
  let oauthUrl: string;
  let upstreamUrl: string;
  let config: string;
  let shortConfig: string;
  let proxyUrl: string;
  let key: string;
  const outputs: string[] = [];
  // One vault key for every process, so no process has to generate (and print) one.
  const env = { RAMPART_VAULT_KEY: randomBytes(32).toString('base64') };

  const yaml = (tokenQuery: string) =>
    `server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: info }\ndataDir: ./data\n` +
    `limits: { maxConcurrentPerKey: 500 }\nrateLimits: { perIp: { rps: 10000, burst: 10000 } }\n` +
    `routing: { retries: 2, retryJitterMs: 5 }\n` +
    `providers:\n` +
    `  - { id: claude-a, type: anthropic, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}", credentials: [], models: [model-a] }\n` +
    `  - { id: claude-b, type: anthropic, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}", credentials: [], models: [model-b] }\n` +
    `oauth:\n  claude: { authorizeUrl: "${oauthUrl}/authorize", tokenUrl: "${oauthUrl}/token${tokenQuery}", callbackPort: 0 }\n`;

  const oauthJson = async <T>(route: string): Promise<T> => (await (await fetch(`${oauthUrl}${route}`)).json()) as T;
  const issued = () => oauthJson<{ accessTokens: string[]; refreshTokens: string[] }>('/__mock/tokens');
  const refreshes = async () => (await oauthJson<{ refreshes: number }>('/__mock/stats')).refreshes;
  const upstreamSeen = async () => (await (await fetch(`${upstreamUrl}/__mock/requests`)).json()) as { headers: Record<string, string | undefined> }[];

  /** `rampart login claude --headless`: wait for the URL, consent in "the browser", paste the redirect URL. */
  async function login(configFile: string, providerId: string, id: string): Promise<string> {
    const proc = startCli(['login', 'claude', '--provider', providerId, '--headless', '--id', id, '--config', configFile], { stdin: 'pipe', env });
    const url = (await proc.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/))[1]!;
    await proc.waitFor(/paste it here/);
    const consent = await fetch(url, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    proc.child.stdin?.end(`${consent.headers.get('location')}\n`);
    const code = await new Promise<number | null>((resolve) => (proc.child.exitCode !== null ? resolve(proc.child.exitCode) : proc.child.once('exit', resolve)));
    outputs.push(proc.stdout(), proc.stderr());
    expect(code, proc.stderr()).toBe(0);
    return proc.stdout();
  }

  const chat = (model: string) =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }),
    });

  beforeAll(async () => {
    work = await makeWorkdir();
    oauth = startCli(['mock-oauth', '--port', '0']);
    oauthUrl = (await oauth.waitFor(/mock-oauth listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    upstream = startCli(['mock-upstream', '--port', '0']);
    upstreamUrl = (await upstream.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(yaml(''));
    // The second login's tokens expire after 1 s, well inside the 5-minute refresh margin of the serving config.
    shortConfig = path.join(work.dir, 'short-lived.yaml');
    await writeFile(shortConfig, yaml('?expires_in=1'));
    const created = await runCli(['keys', 'create', '--name', 'oauth-e2e', '--json', '--config', config], { env });
    key = (JSON.parse(created.stdout) as { key: string }).key;
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    await oauth?.stop();
    await upstream?.stop();
    outputs.push(oauth.stdout(), oauth.stderr(), upstream.stdout(), upstream.stderr());
    await work?.remove();
  });

  it('logs in headless (pasted redirect URL) and prints only the credential id', async () => {
    expect(await login(config, 'claude-a', 'claude-a-login')).toBe('credential claude-a-login (provider claude-a)\n');
    expect(await login(shortConfig, 'claude-b', 'claude-b-login')).toBe('credential claude-b-login (provider claude-b)\n');
    expect((await issued()).accessTokens).toHaveLength(2);
    expect(await refreshes()).toBe(0);
  }, 60_000);

  it('proxies with the OAuth access token as a bearer token plus the OAuth beta flag, without x-api-key', async () => {
    serve = startCli(['serve', '--config', config], { env });
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    await fetch(`${upstreamUrl}/__mock/requests`, { method: 'DELETE' });
    const answer = await chat('model-a');
    expect(answer.status, await answer.clone().text()).toBe(200);
    const [seen] = await upstreamSeen();
    const loginToken = (await issued()).accessTokens[0]!;
    expect(seen?.headers.authorization).toBe(`Bearer ${loginToken}`);
    expect(seen?.headers['x-api-key']).toBeUndefined();
    expect(seen?.headers['anthropic-beta']).toContain('oauth-2025-04-20');
    // The token was fresh: nothing was refreshed.
    expect(await refreshes()).toBe(0);
  }, 60_000);

  it('an expired token and 100 concurrent requests cause exactly one refresh; all are served with the new token', async () => {
    // A slow token endpoint keeps the refresh in flight while all 100 requests arrive.
    await fetch(`${oauthUrl}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delay: 300 }) });
    await fetch(`${upstreamUrl}/__mock/requests`, { method: 'DELETE' });
    const before = await refreshes();
    const answers = await Promise.all(Array.from({ length: 100 }, () => chat('model-b')));
    const statuses = answers.map((a) => a.status);
    await Promise.all(answers.map((a) => a.text()));
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect((await refreshes()) - before).toBe(1);
    const newest = (await issued()).accessTokens.at(-1)!;
    const bearers = new Set((await upstreamSeen()).map((r) => r.headers.authorization));
    expect(bearers).toEqual(new Set([`Bearer ${newest}`]));
    // Still fresh afterwards: more requests, no more refreshes.
    expect((await chat('model-b')).status).toBe(200);
    expect((await refreshes()) - before).toBe(1);
  }, 60_000);

  it('a failing refresh cools that credential and its attempts fail over to the next one', async () => {
    // Force another refresh: a fresh login whose token is already inside the margin, with the endpoint failing.
    await serve?.stop();
    outputs.push(serve?.stdout() ?? '', serve?.stderr() ?? '');
    serve = undefined;
    await fetch(`${oauthUrl}/__mock/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ fail: 'invalid_grant' }) });
    // claude-b's refresh token was rotated by the previous test: expire its access token again through a new login.
    await login(shortConfig, 'claude-b', 'claude-b-second');
    serve = startCli(['serve', '--config', config], { env });
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    // claude-b-login holds a refreshed (fresh) token; claude-b-second cannot refresh: its attempts fail over to the
    // other credential, so every request is served, and it cools down.
    const answers = await Promise.all(Array.from({ length: 6 }, () => chat('model-b')));
    const bodies = await Promise.all(answers.map((a) => a.text()));
    outputs.push(...bodies);
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 6 }, () => 200));
    let cooling: { credentialId: string; kind: string }[] = [];
    for (let i = 0; i < 40 && !cooling.some((c) => c.credentialId === 'claude-b-second'); i++) {
      const pool = await runCli(['pool', 'status', '--json', '--config', config], { env });
      outputs.push(pool.stdout, pool.stderr);
      cooling = JSON.parse(pool.stdout) as { credentialId: string; kind: string }[];
      if (!cooling.some((c) => c.credentialId === 'claude-b-second')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(cooling).toContainEqual(expect.objectContaining({ credentialId: 'claude-b-second', kind: 'auth' }));
    expect(cooling.some((c) => c.credentialId === 'claude-b-login')).toBe(false);
    await fetch(`${oauthUrl}/__mock/faults`, { method: 'DELETE' });
  }, 60_000);

  it('refuses a callback host other than 127.0.0.1 at boot, for serve and login alike', async () => {
    const bad = path.join(work.dir, 'public-callback.yaml');
    await writeFile(bad, yaml('').replace('callbackPort: 0 }', 'callbackPort: 0, callbackHost: 0.0.0.0 }'));
    for (const args of [['serve'], ['login', 'claude', '--provider', 'claude-a', '--headless']]) {
      const result = await runCli([...args, '--config', bad], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/oauth\.claude\.callbackHost: the OAuth callback listener binds only 127\.0\.0\.1/);
      outputs.push(result.stdout, result.stderr);
    }
  }, 60_000);

  it('no issued token appears in any process output or in any file of the data folder', async () => {
    await serve?.stop();
    outputs.push(serve?.stdout() ?? '', serve?.stderr() ?? '');
    serve = undefined;
    const { accessTokens, refreshTokens } = await issued();
    const planted = [...accessTokens, ...refreshTokens];
    expect(planted.length).toBeGreaterThanOrEqual(8);
    const text = outputs.join('\n');
    expect(text.length).toBeGreaterThan(0);
    for (const token of planted) expect(text.includes(token)).toBe(false);
    expect(text).not.toMatch(/mock-(at|rt)-/);
    const dataDir = path.join(work.dir, 'data');
    const files = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(path.join(file.parentPath, file.name));
      for (const token of planted) expect(bytes.includes(token), `${file.name} holds a token in clear`).toBe(false);
    }
  }, 60_000);
});
