import { randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * The canary: unique secrets are planted everywhere a secret enters Rampart (client keys, upstream keys from config
 * and from the vault, OAuth access and refresh tokens, the vault key before and after a rotation, passwords and keys
 * sent by hostile clients), then a broad scenario runs over real processes. Afterwards every process output, every
 * file under the data folder (database, WAL, audit log, head, keys), the metrics page, the health reports and every
 * error body are searched for each secret in raw, base64 (every alignment), URL-encoded and JSON-escaped form.
 * Zero hits.
 */

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Every form a secret could leak in. Base64 of a secret inside a longer string depends on its alignment. */
function forms(secret: string): string[] {
  const raw = Buffer.from(secret, 'utf8');
  const out = new Set<string>([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (const encoding of ['base64', 'base64url'] as const) {
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset, 0x20), raw]).toString(encoding);
      // Drop the characters that mix in the padding before and whatever may follow.
      const middle = encoded.slice(offset === 0 ? 0 : 4, encoded.length - 4);
      if (middle.length >= 16) out.add(middle);
    }
  }
  return [...out];
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (at: string): Promise<void> => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        // A file replaced between listing and reading (a temp file renamed into place) is simply gone.
        const data = await readFile(full).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
        if (data !== undefined) files.set(full, data);
      }
    }
  };
  await walk(dir);
  return files;
}

describe('canary: planted secrets never leak (real processes, broad scenario)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let upstream: RunningProcess;
  let oauth: RunningProcess;
  let serve: RunningProcess | undefined;
  let config: string;
  let upstreamUrl: string;
  let oauthUrl: string;
  let proxyUrl = '';
  let metricsUrl = '';
  let dashboardUrl = '';
  let clientKey = '';
  let revokedKey = '';

  const vaultKey = randomBytes(32).toString('base64');
  const rotatedVaultKey = randomBytes(32).toString('base64');
  const configUpstreamKey = `sk-canary-config-${hex(16)}`;
  const vaultUpstreamKey = `sk-canary-vault-${hex(16)}`;
  const hostilePassword = `pw-canary-${hex(12)}`;
  const cookieSecret = `cookie-canary-${hex(12)}`;
  const wrongClientKey = `rk_live_${hex(20)}`;
  const promptSecret = `sk-proj-${hex(24)}`;

  /** Outputs and bodies to search; the one CLI output that shows a new client key once is never added. */
  const texts: { what: string; text: string }[] = [];
  const env = () => ({ RAMPART_VAULT_KEY: vaultKey, CANARY_UPSTREAM_KEY: configUpstreamKey, CANARY_VAULT_KEY_A: vaultUpstreamKey, CANARY_NEW_VAULT_KEY: rotatedVaultKey });
  let currentEnv = env();

  const cli = async (args: string[], what = args.slice(0, 2).join(' ')) => {
    const result = await runCli([...args, '--config', config], { env: currentEnv });
    texts.push({ what: `${what} stdout`, text: result.stdout }, { what: `${what} stderr`, text: result.stderr });
    return result;
  };

  async function startServe(): Promise<void> {
    serve = startCli(['serve', '--config', config], { env: currentEnv });
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    metricsUrl = (await serve.waitFor(/metrics listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    dashboardUrl = (await serve.waitFor(/dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  }

  async function stopServe(): Promise<void> {
    await serve?.stop();
    texts.push({ what: 'serve stdout', text: serve?.stdout() ?? '' }, { what: 'serve stderr', text: serve?.stderr() ?? '' });
    serve = undefined;
  }

  /** A request; non-2xx bodies are kept for the search (success bodies are the model's answer, echoed by the mock). */
  async function call(route: string, init: { body?: unknown; headers?: Record<string, string>; method?: string } = {}): Promise<Response> {
    const response = await fetch(`${proxyUrl}${route}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await response.text();
    if (response.status >= 400) texts.push({ what: `${route} ${response.status} body`, text });
    return new Response(text, { status: response.status, headers: response.headers });
  }

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user', content }], max_tokens: 32, ...extra });

  beforeAll(async () => {
    work = await makeWorkdir();
    upstream = startCli(['mock-upstream', '--port', '0']);
    upstreamUrl = (await upstream.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    oauth = startCli(['mock-oauth', '--port', '0']);
    oauthUrl = (await oauth.waitFor(/mock-oauth listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      'server:\n  proxy: { port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: debug }\ndataDir: ./data\n' +
        'routing: { retries: 1, retryJitterMs: 5 }\nwaf: { mode: detect }\n' +
        'alerts:\n  rules:\n    - { id: auth-burst, on: auth_failure, per: ip, threshold: 1000, windowSeconds: 60, action: alert }\n' +
        'providers:\n' +
        `  - { id: cfg, type: openai-compatible, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}/v1", credentials: [{ apiKey: "\${CANARY_UPSTREAM_KEY}" }], models: [m-cfg] }\n` +
        `  - { id: vlt, type: anthropic, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}", models: [m-vault] }\n` +
        `  - { id: oa, type: anthropic, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}", models: [m-oauth] }\n` +
        `  - { id: gem, type: gemini, allowPrivateNetwork: true, baseUrl: "${upstreamUrl}", credentials: [{ apiKey: "\${CANARY_UPSTREAM_KEY}" }], models: [m-gem] }\n` +
        // Tokens that expire at once: every serving of m-oauth refreshes them, so refreshed tokens are planted too.
        `oauth:\n  claude: { authorizeUrl: "${oauthUrl}/authorize", tokenUrl: "${oauthUrl}/token?expires_in=1", callbackPort: 0 }\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    await upstream?.stop();
    await oauth?.stop();
    await work?.remove();
  });

  it('runs a broad scenario', async () => {
    // Keys: one used, one revoked. Their creation output (the key, shown once) is the only text not searched.
    const created = await runCli(['keys', 'create', '--name', 'canary', '--json', '--config', config], { env: currentEnv });
    expect(created.code, created.stderr).toBe(0);
    clientKey = (JSON.parse(created.stdout) as { key: string }).key;
    const second = await runCli(['keys', 'create', '--name', 'revoked', '--json', '--config', config], { env: currentEnv });
    const revoked = JSON.parse(second.stdout) as { key: string; id: string };
    revokedKey = revoked.key;
    expect((await cli(['keys', 'revoke', revoked.id])).code).toBe(0);
    expect((await cli(['credentials', 'add', '--provider', 'vlt', '--api-key-env', 'CANARY_VAULT_KEY_A', '--id', 'vlt-a'])).code).toBe(0);

    // OAuth login (headless paste) against the fake provider.
    const login = startCli(['login', 'claude', '--provider', 'oa', '--headless', '--id', 'oa-login', '--config', config], { stdin: 'pipe', env: currentEnv });
    const url = (await login.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)/))[1]!;
    await login.waitFor(/paste it here/);
    const consent = await fetch(url, { redirect: 'manual' });
    login.child.stdin?.end(`${consent.headers.get('location')}\n`);
    const loginCode = await new Promise<number | null>((resolve) => (login.child.exitCode !== null ? resolve(login.child.exitCode) : login.child.once('exit', resolve)));
    texts.push({ what: 'login stdout', text: login.stdout() }, { what: 'login stderr', text: login.stderr() });
    expect(loginCode, login.stderr()).toBe(0);

    await startServe();
    const ok = bearer(clientKey);
    // Every client format, streaming and not, over config, vault and OAuth credentials.
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'hello'), headers: ok })).status).toBe(200);
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'hello', { stream: true }), headers: ok })).status).toBe(200);
    expect((await call('/v1/chat/completions', { body: chat('m-vault', 'hello'), headers: ok })).status).toBe(200);
    expect((await call('/v1/messages', { body: chat('m-oauth', 'hello'), headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01' } })).status).toBe(200);
    expect((await call('/v1/messages', { body: chat('m-oauth', 'hello', { stream: true }), headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01' } })).status).toBe(200);
    expect((await call('/v1/responses', { body: { model: 'm-vault', input: 'hello' }, headers: ok })).status).toBe(200);
    const gemini = { contents: [{ role: 'user', parts: [{ text: 'hello' }] }] };
    expect((await call('/v1beta/models/m-gem:generateContent', { body: gemini, headers: { 'x-goog-api-key': clientKey } })).status).toBe(200);
    expect((await call('/v1beta/models/m-gem:streamGenerateContent?alt=sse', { body: gemini, headers: { 'x-goog-api-key': clientKey } })).status).toBe(200);
    // A prompt carrying a secret: the WAF detects it (audit + metric) without copying it anywhere.
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', `my key is ${promptSecret}`), headers: ok })).status).toBe(200);

    // Hostile and mistaken clients: each refusal is audited and counted, never with the secret it carried.
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'x'), headers: bearer(wrongClientKey) })).status).toBe(401);
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'x'), headers: bearer(revokedKey) })).status).toBe(401);
    const basic = Buffer.from(`admin:${hostilePassword}`).toString('base64');
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'x'), headers: { authorization: `Basic ${basic}`, cookie: `session=${cookieSecret}`, 'proxy-authorization': `Basic ${basic}` } })).status).toBe(401);
    expect((await call(`/v1/models?key=${encodeURIComponent(clientKey)}`)).status).toBe(401);
    expect((await call('/v1beta/models/m-gem:generateContent?key=' + encodeURIComponent(wrongClientKey), { body: gemini })).status).toBe(401);
    expect((await call('/v1/chat/completions', { body: '{"model": "m-cfg", "messages": [', headers: ok })).status).toBe(400);
    expect((await call('/v1/chat/completions', { body: '{"__proto__": {"x": 1}, "model": "m-cfg", "messages": []}', headers: ok })).status).toBe(400);
    // Upstream failures: refused credentials (cooldown), server errors, a reset mid-stream.
    expect((await call('/v1/chat/completions', { body: chat('m-vault', 'cut [mock:stream-error=2]', { stream: true }), headers: ok })).status).toBe(200);
    expect((await call('/v1/chat/completions', { body: chat('m-cfg', 'fail [mock:status=401]'), headers: ok })).status).toBeGreaterThanOrEqual(400);
    expect((await call('/v1/chat/completions', { body: chat('m-vault', 'fail [mock:status=500]'), headers: ok })).status).toBeGreaterThanOrEqual(500);
    expect((await call('/v1/chat/completions', { body: chat('m-unknown', 'x'), headers: ok })).status).toBe(404);

    // Every read-only surface an operator or scraper sees.
    for (const [what, url] of [
      ['metrics', `${metricsUrl}/metrics`],
      ['api health', `${dashboardUrl}/api/health`],
      ['readyz', `${proxyUrl}/readyz`],
      ['healthz', `${proxyUrl}/healthz`],
    ] as const) {
      let response = await fetch(url);
      let text = await response.text();
      // Counters fed by the audit log move once its group commit wrote the records (within its flush interval).
      for (let i = 0; what === 'metrics' && i < 60 && !/^rampart_security_events_total\{type="security_violation"\} 1$/m.test(text); i++) {
        await new Promise((r) => setTimeout(r, 50));
        response = await fetch(url);
        text = await response.text();
      }
      texts.push({ what, text });
      if (what === 'metrics') {
        expect(response.status).toBe(200);
        expect(text).toContain('rampart_auth_failures_total');
        // The WAF's detect mode (#5): the prompt's secret was counted as a security event, by rule type only.
        expect(text).toMatch(/^rampart_security_events_total\{type="waf_detect"\} 1$/m);
        expect(text).toMatch(/^rampart_security_events_total\{type="security_violation"\} 1$/m);
      }
    }
    for (const args of [['keys', 'list'], ['credentials', 'list'], ['pool', 'status'], ['audit', 'tail', '-n', '200'], ['usage', '--group-by', 'credential'], ['blocks', 'list'], ['vault', 'status']]) {
      expect((await cli(args, args.join(' '))).code).toBe(0);
    }
    await stopServe();
    expect((await cli(['pool', 'reset'])).code).toBe(0);

    // Rotate the vault key, then serve again under the new one.
    expect((await cli(['vault', 'rotate', '--new-key-env', 'CANARY_NEW_VAULT_KEY'])).code).toBe(0);
    currentEnv = { ...env(), RAMPART_VAULT_KEY: rotatedVaultKey };
    await startServe();
    expect((await call('/v1/chat/completions', { body: chat('m-vault', 'after rotation'), headers: ok })).status).toBe(200);
    expect((await call('/v1/messages', { body: chat('m-oauth', 'after rotation'), headers: { 'x-api-key': clientKey, 'anthropic-version': '2023-06-01' } })).status).toBe(200);
    await stopServe();
    const verify = await cli(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  }, 120_000);

  it('finds none of the planted secrets in any output, body, metric, audit line or data file', async () => {
    const issued = (await (await fetch(`${oauthUrl}/__mock/tokens`)).json()) as { accessTokens: string[]; refreshTokens: string[] };
    // The scenario refreshed at least once, so rotated tokens are among the planted ones.
    expect(issued.accessTokens.length).toBeGreaterThanOrEqual(2);
    const secrets: Record<string, string> = {
      clientKey,
      revokedKey,
      wrongClientKey,
      configUpstreamKey,
      vaultUpstreamKey,
      vaultKey,
      rotatedVaultKey,
      vaultKeyHex: Buffer.from(vaultKey, 'base64').toString('hex'),
      rotatedVaultKeyHex: Buffer.from(rotatedVaultKey, 'base64').toString('hex'),
      hostilePassword,
      cookieSecret,
      promptSecret,
      basicHeader: Buffer.from(`admin:${hostilePassword}`).toString('base64'),
    };
    issued.accessTokens.forEach((token, i) => (secrets[`oauthAccess${i}`] = token));
    issued.refreshTokens.forEach((token, i) => (secrets[`oauthRefresh${i}`] = token));
    for (const [name, value] of Object.entries(secrets)) expect(value.length, name).toBeGreaterThanOrEqual(16);

    const haystacks: { what: string; data: Buffer }[] = texts.map((t) => ({ what: t.what, data: Buffer.from(t.text) }));
    const files = await filesUnder(path.join(work.dir, 'data'));
    expect([...files.keys()].some((f) => f.endsWith('audit.jsonl'))).toBe(true);
    expect([...files.keys()].some((f) => f.endsWith('rampart.db'))).toBe(true);
    // The vault key file is not used here (the key comes from the environment), so it must not exist.
    expect([...files.keys()].some((f) => f.endsWith('vault.key'))).toBe(false);
    for (const [file, data] of files) haystacks.push({ what: path.relative(work.dir, file), data });
    // The scenario really produced what is searched: audit lines for refusals, metrics, error bodies.
    const auditLog = files.get([...files.keys()].find((f) => f.endsWith('audit.jsonl'))!)!.toString('utf8');
    for (const type of ['auth_failure', 'provider_request', 'waf_detect', 'credential_added', 'vault_rotated', 'token_refresh', 'security_violation']) {
      expect(auditLog, type).toContain(`"type":"${type}"`);
    }
    expect(texts.filter((t) => t.what.endsWith('body')).length).toBeGreaterThanOrEqual(8);

    const hits: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of forms(secret)) {
        for (const { what, data } of haystacks) if (data.includes(form)) hits.push(`${name} (${form === secret ? 'raw' : 'encoded'}) in ${what}`);
      }
    }
    expect(hits).toEqual([]);
  });

  it('the search can fail: a secret written into a searched place is found', async () => {
    const probe = path.join(work.dir, 'data', 'probe.txt');
    await writeFile(probe, `x${Buffer.from(`  ${clientKey}`).toString('base64')}y`);
    const data = await readFile(probe);
    expect(forms(clientKey).some((form) => data.includes(form))).toBe(true);
  });
});
