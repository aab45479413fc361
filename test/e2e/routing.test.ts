import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * Credential pools, cooldowns, failover and model routing end to end: real `rampart serve` and `rampart
 * mock-upstream` processes. `[mock@<key>:<fault>]` in a prompt makes only the requests signed with that upstream key
 * fail, so one credential of a pool can misbehave while the others answer.
 */
describe('routing: pools, cooldowns, failover, aliases (real processes)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let mockUrl: string;
  let proxyUrl: string;
  let config: string;
  let key: string;

  const provider = (id: string, extra: string, models: string, type = 'openai-compatible') =>
    `  - id: ${id}\n    type: ${type}\n    allowPrivateNetwork: true\n    baseUrl: ${type === 'anthropic' ? mockUrl : `${mockUrl}/v1`}\n${extra}    models: ${models}\n`;

  const startServe = async () => {
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  };

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    config = await work.writeConfig(
      'server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\n' +
        'routing:\n  retries: 2\n  retryJitterMs: 5\n  sessionAffinityHeader: x-session-id\n  fallbacks: { primary-model: [backup/backup-model] }\n' +
        'providers:\n' +
        provider('rr', '    credentials: [{ apiKey: sk-a }, { apiKey: sk-b }, { apiKey: sk-c }]\n', '[rr-model, { name: fast, upstream: gpt-4o-mini }]') +
        provider('weighted', '    policy: weighted\n    credentials: [{ apiKey: sk-w1, weight: 1 }, { apiKey: sk-w3, weight: 3 }]\n', '[w-model]') +
        provider('ff', '    policy: fill-first\n    credentials: [{ apiKey: sk-f1 }, { apiKey: sk-f2 }]\n', '[ff-model]') +
        provider('cool', '    credentials: [{ apiKey: sk-c1 }, { apiKey: sk-c2 }]\n', '[cool-model]') +
        provider('solo', '    credentials: [{ apiKey: sk-solo }]\n', '[solo-model]') +
        provider('primary', '    credentials: [{ apiKey: sk-p1 }]\n', '[primary-model]') +
        provider('backup', '    credentials: [{ apiKey: sk-bk }]\n', '[backup-model]', 'anthropic'),
    );
    key = (JSON.parse((await runCli(['keys', 'create', '--name', 'routing', '--json', '--config', config])).stdout) as { key: string }).key;
    await startServe();
  });

  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  const chat = (model: string, content = 'hello', extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
    });
  const clearMock = () => fetch(`${mockUrl}/__mock/requests`, { method: 'DELETE' });
  const seen = async () =>
    (await (await fetch(`${mockUrl}/__mock/requests`)).json()) as { headers: Record<string, string>; body: Record<string, unknown> }[];
  const keysSeen = async () => (await seen()).map((r) => r.headers.authorization?.replace('Bearer ', '') ?? r.headers['x-api-key']);
  const countBy = (values: (string | undefined)[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v)]: (acc[String(v)] ?? 0) + 1 }), {});
  const sequential = async (n: number, send: () => Promise<Response>) => {
    for (let i = 0; i < n; i++) expect((await send()).status).toBe(200);
  };

  it('round-robin spreads requests evenly over the pool', async () => {
    await clearMock();
    await sequential(30, () => chat('rr-model'));
    expect(countBy(await keysSeen())).toEqual({ 'sk-a': 10, 'sk-b': 10, 'sk-c': 10 });
  });

  it('weighted spreads by weight, fill-first keeps to the first credential', async () => {
    await clearMock();
    await sequential(40, () => chat('w-model'));
    expect(countBy(await keysSeen())).toEqual({ 'sk-w1': 10, 'sk-w3': 30 });
    await clearMock();
    await sequential(10, () => chat('ff-model'));
    expect(countBy(await keysSeen())).toEqual({ 'sk-f1': 10 });
  });

  it('session affinity pins a session to one credential', async () => {
    await clearMock();
    await sequential(9, () => chat('rr-model', 'hello', {}, { 'x-session-id': 'session-42' }));
    expect(new Set(await keysSeen()).size).toBe(1);
  });

  it('fails over to the next credential on a 429 and skips the cooling credential until its cooldown ends', async () => {
    await clearMock();
    // Whichever credential the pool picks first, sk-c1 answers 429 (retry hint 2 s) and sk-c2 answers.
    for (let i = 0; i < 2; i++) {
      const res = await chat('cool-model', 'hi [mock@sk-c1:status=429,retry-after=2]');
      expect(res.status).toBe(200);
    }
    const firstRound = await keysSeen();
    expect(firstRound.filter((k) => k === 'sk-c1')).toHaveLength(1);
    const status = await runCli(['pool', 'status', '--json', '--config', config]);
    expect(JSON.parse(status.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ credentialId: 'cool#0', kind: 'rate_limited' })]));
    await clearMock();
    await sequential(4, () => chat('cool-model'));
    expect(countBy(await keysSeen())).toEqual({ 'sk-c2': 4 });
    await new Promise((r) => setTimeout(r, 2_200));
    await clearMock();
    await sequential(4, () => chat('cool-model'));
    expect(countBy(await keysSeen())).toEqual({ 'sk-c1': 2, 'sk-c2': 2 });
  });

  it('never retries after the first byte reached the client', async () => {
    await clearMock();
    const res = await chat('rr-model', 'a b c d e f g h [mock:reset-after=3]', { stream: true });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('RAMPART_UPSTREAM_STREAM_INTERRUPTED');
    expect(await seen()).toHaveLength(1);
  });

  it('falls back across providers along the chain when the primary fails', async () => {
    await clearMock();
    const res = await chat('primary-model', 'hello fallback [mock@sk-p1:status=500]');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Echo: hello fallback');
    expect(await keysSeen()).toEqual(['sk-p1', 'sk-bk']);
  });

  it('resolves aliases, provider prefixes and thinking suffixes', async () => {
    await clearMock();
    expect((await chat('fast')).status).toBe(200);
    expect((await chat('backup/backup-model')).status).toBe(200);
    expect((await chat('rr-model(high)')).status).toBe(200);
    const bodies = (await seen()).map((r) => r.body);
    expect(bodies[0]?.model).toBe('gpt-4o-mini');
    expect(bodies[1]?.model).toBe('backup-model');
    expect(bodies[2]).toMatchObject({ model: 'rr-model', reasoning_effort: 'high' });
    const bad = await chat('rr-model(extreme)');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('RAMPART_MODEL_SUFFIX_INVALID');
  });

  it('answers 429 with the soonest recovery when every credential cools, and keeps cooldowns across a restart', async () => {
    const first = await chat('solo-model', 'hi [mock:status=429,retry-after=40]');
    expect(first.status).toBe(429);
    await clearMock();
    const cooling = await chat('solo-model');
    expect(cooling.status).toBe(429);
    expect(((await cooling.json()) as { error: { code: string } }).error.code).toBe('RAMPART_POOL_RATE_LIMITED');
    expect(Number(cooling.headers.get('retry-after'))).toBeGreaterThanOrEqual(35);
    expect(Number(cooling.headers.get('retry-after'))).toBeLessThanOrEqual(40);
    expect(await seen()).toHaveLength(0);

    await serve.stop();
    await startServe();
    const afterRestart = await chat('solo-model');
    expect(afterRestart.status).toBe(429);
    expect(((await afterRestart.json()) as { error: { code: string } }).error.code).toBe('RAMPART_POOL_RATE_LIMITED');
    expect(await seen()).toHaveLength(0);
  });

  it('`rampart pool reset` clears cooldowns for a running server', async () => {
    const reset = await runCli(['pool', 'reset', '--provider', 'solo', '--config', config]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/Cleared 1 cooldown/);
    const deadline = Date.now() + 5_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await chat('solo-model')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });

  it('does not follow upstream redirects', async () => {
    await clearMock();
    const res = await chat('solo-model', 'go [mock:redirect]');
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RAMPART_UPSTREAM_REDIRECT');
    expect(await seen()).toHaveLength(1);
  });

  it('never forwards client cookies or the client key upstream, but passes anthropic-beta to Anthropic', async () => {
    await clearMock();
    await chat('backup-model', 'hi', {}, { cookie: 'session=secret', 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'x-forwarded-for': '1.2.3.4' });
    const [request] = await seen();
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers['x-forwarded-for']).toBeUndefined();
    expect(request?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(JSON.stringify(request)).not.toContain(key);
  });
});

describe('SSRF: internal upstreams are refused at start', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:9/v1'],
    ['cloud metadata', 'http://169.254.169.254/latest'],
    ['private range', 'http://10.1.2.3/v1'],
    ['file scheme', 'file:///etc/passwd'],
  ])('%s base URL', async (_name, url) => {
    const work = await makeWorkdir();
    try {
      const config = await work.writeConfig(`providers:\n  - id: p\n    type: openai-compatible\n    baseUrl: "${url}"\n    credentials: [{ apiKey: k }]\n    models: [m]\n`);
      const result = await runCli(['serve', '--config', config]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('providers[0].baseUrl');
    } finally {
      await work.remove();
    }
  });
});

describe('scoped client keys (real processes)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let config: string;
  let proxyUrl: string;

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0']);
    const mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const provider = (id: string, models: string) =>
      `  - id: ${id}\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: ${mockUrl}/v1\n    credentials: [{ apiKey: sk-${id} }]\n    models: ${models}\n`;
    config = await work.writeConfig(`server:\n  proxy: { host: 127.0.0.1, port: 0 }\n  metrics: { port: 0 }\n  dashboard: { port: 0 }\nlogging: { level: warn }\nproviders:\n${provider('a', '[alpha-1, { name: fast, upstream: beta-1 }]')}${provider('b', '[beta-1]')}${provider('c', '[gamma-1]')}    rpm: 3\n`);
    serve = startCli(['serve', '--config', config]);
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  });
  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  const create = async (...flags: string[]) => {
    const result = await runCli(['keys', 'create', '--name', 'scoped', '--json', '--config', config, ...flags]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { id: string; key: string };
  };
  const chat = (key: string, model: string) =>
    fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('limits a key to its models (judged on the upstream model, so aliases cannot get around it) and providers', async () => {
    const { key } = await create('--models', 'alpha-*');
    expect((await chat(key, 'alpha-1')).status).toBe(200);
    const other = await chat(key, 'beta-1');
    expect(other.status).toBe(403);
    expect(await codeOf(other)).toBe('RAMPART_KEY_SCOPE_MODEL');
    const alias = await chat(key, 'fast');
    expect(alias.status).toBe(403);
    const byProvider = await create('--providers', 'b');
    expect((await chat(byProvider.key, 'beta-1')).status).toBe(200);
    const wrongProvider = await chat(byProvider.key, 'alpha-1');
    expect(wrongProvider.status).toBe(403);
    expect(await codeOf(wrongProvider)).toBe('RAMPART_KEY_SCOPE_PROVIDER');
  });

  it('holds a provider to its requests-per-minute limit', async () => {
    const { key } = await create();
    for (let i = 0; i < 3; i++) expect((await chat(key, 'gamma-1')).status).toBe(200);
    const limited = await chat(key, 'gamma-1');
    expect(limited.status).toBe(429);
    expect(await codeOf(limited)).toBe('RAMPART_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('stops a key at its monthly token quota, counting real usage', async () => {
    const { key } = await create('--monthly-tokens', '40');
    const send = () =>
      fetch(`${proxyUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'alpha-1', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
    let passed = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const res = await send();
      if (res.status === 200) {
        passed++;
        await res.text();
      } else refused = res;
    }
    // Each answer uses a handful of tokens (the mock's usage), so several pass before the quota of 40 is reached.
    expect(passed).toBeGreaterThan(1);
    expect(refused?.status).toBe(429);
    expect(await codeOf(refused!)).toBe('RAMPART_QUOTA_EXCEEDED');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(60);
  });

  it('refuses a key outside its IP allowlist, and a disabled key, each with its own code', async () => {
    const remote = await create('--ips', '10.0.0.0/8');
    const refused = await chat(remote.key, 'alpha-1');
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('RAMPART_KEY_SCOPE_IP');
    const local = await create('--ips', '127.0.0.0/8,::1');
    expect((await chat(local.key, 'alpha-1')).status).toBe(200);
    expect((await runCli(['keys', 'update', local.id, '--disable', '--config', config])).code).toBe(0);
    const disabled = await chat(local.key, 'alpha-1');
    expect(disabled.status).toBe(401);
    expect(await codeOf(disabled)).toBe('RAMPART_AUTH_KEY_DISABLED');
  });
});
