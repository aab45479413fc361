import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProcess, makeWorkdir, runCli, startCli } from './harness.ts';

/**
 * The whole slice, as a newcomer would run it: real `rampart mock-upstream` and `rampart serve` processes, a key made
 * with `rampart keys create`, and the official openai SDK as the client.
 */
describe('OpenAI chat completions through Rampart (real processes, official SDK)', () => {
  let work: Awaited<ReturnType<typeof makeWorkdir>>;
  let mock: RunningProcess;
  let serve: RunningProcess;
  let configFile: string;
  let mockUrl: string;
  let proxyUrl: string;
  let key: string;
  let keyId: string;
  const upstreamKey = 'sk-upstream-e2e-0123456789';

  const client = (apiKey = key) => new OpenAI({ apiKey, baseURL: `${proxyUrl}/v1`, maxRetries: 0, timeout: 10_000 });
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${proxyUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers }, body });
  const mockStats = async () => (await (await fetch(`${mockUrl}/__mock/stats`)).json()) as { requests: number; aborted: number; inFlight: number };

  beforeAll(async () => {
    work = await makeWorkdir();
    mock = startCli(['mock-upstream', '--port', '0', '--api-key', upstreamKey]);
    mockUrl = (await mock.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    configFile = await work.writeConfig(`
server:
  proxy: { host: 127.0.0.1, port: 0 }
  metrics: { port: 0 }
  dashboard: { port: 0 }
dataDir: ./data
limits: { maxBodyBytes: 65536 }
logging: { level: info }
# fault cases reuse the one credential; failover and cooldowns have their own tests
routing:
  cooldowns: { authMs: 1, modelNotFoundMs: 1, rateLimitBaseMs: 1, rateLimitMaxMs: 1, serverErrorMs: 1, networkMs: 1 }
providers:
  - id: local
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mockUrl}/v1
    credentials:
      - apiKey: \${UPSTREAM_KEY}
    models: [gpt-4o-mini, gpt-4o]
`);
    serve = startCli(['serve', '--config', configFile], { env: { UPSTREAM_KEY: upstreamKey } });
    proxyUrl = (await serve.waitFor(/proxy listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  });

  afterAll(async () => {
    await serve?.stop();
    await mock?.stop();
    await work?.remove();
  });

  it('refuses everything with a how-to message while no key exists', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), { authorization: 'Bearer rk_live_nothing' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string; type: string; request_id: string } };
    expect(body.error.code).toBe('RAMPART_AUTH_NO_KEYS');
    expect(body.error.message).toContain('rampart keys create');
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('creates a key with the CLI, printed once as JSON', async () => {
    const result = await runCli(['keys', 'create', '--name', 'e2e', '--json', '--config', configFile]);
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as { id: string; name: string; key: string; createdAt: string };
    expect(Object.keys(created).sort()).toEqual(['createdAt', 'id', 'key', 'name']);
    expect(created.name).toBe('e2e');
    expect(created.key).toMatch(/^rk_live_/);
    key = created.key;
    keyId = created.id;
    const list = await runCli(['keys', 'list', '--json', '--config', configFile]);
    expect(list.stdout).not.toContain(key);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: keyId, name: 'e2e', status: 'active', prefix: key.slice(0, 12) })]);
  });

  it('answers a non-streamed chat completion through the SDK', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }] });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message.content).toBe('Echo: hello there');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
    // Rampart signs the upstream call with the provider credential, never the client's key.
    const seen = (await (await fetch(`${mockUrl}/__mock/requests`)).json()) as { headers: Record<string, string> }[];
    const last = seen.at(-1);
    expect(last?.headers.authorization).toBe(`Bearer ${upstreamKey}`);
    expect(JSON.stringify(seen)).not.toContain(key);
  });

  it('streams a chat completion through the SDK, with usage when asked', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream me a reply please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Echo: stream me a reply please');
    expect(finish).toBe('stop');
    expect(chunks).toBeGreaterThan(3);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams without a usage chunk when the client did not ask for one', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'no usage' }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = await res.text();
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(body).not.toContain('"usage":{');
  });

  it('lists the configured models through the SDK', async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids.sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('refuses a wrong key with 401 in OpenAI shape (SDK: AuthenticationError)', async () => {
    const error = await client('rk_live_' + 'x'.repeat(43)).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(apiError.status).toBe(401);
    expect(apiError.error).toEqual({ message: 'Invalid API key.', type: 'authentication_error', param: null, code: 'RAMPART_AUTH_INVALID_KEY', request_id: expect.stringMatching(/^req_/) as unknown });
    expect(apiError.requestID).toMatch(/^req_/);
  });

  it('refuses a request without a key', async () => {
    const res = await fetch(`${proxyUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RAMPART_AUTH_MISSING_KEY');
  });

  it('accepts the key in x-api-key and x-goog-api-key too', async () => {
    for (const header of ['x-api-key', 'x-goog-api-key']) {
      const res = await fetch(`${proxyUrl}/v1/models`, { headers: { [header]: key } });
      expect(res.status, header).toBe(200);
    }
  });

  it('refuses an oversized body with 413', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }));
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'RAMPART_REQUEST_TOO_LARGE', type: 'invalid_request_error' });
  });

  it('refuses invalid JSON and prototype poisoning with 400', async () => {
    const bad = await post('{"model": "gpt-4o-mini", "messages": [');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('RAMPART_REQUEST_INVALID_JSON');
    const poisoned = await post('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}');
    expect(poisoned.status).toBe(400);
    expect(((await poisoned.json()) as { error: { code: string } }).error.code).toBe('RAMPART_REQUEST_PROTO_POISONING');
  });

  it('refuses a malformed chat request with 400 naming the field', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: 'hello' }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; param: string | null } };
    expect(body.error.code).toBe('RAMPART_REQUEST_INVALID');
    expect(body.error.param).toBe('messages');
  });

  it('answers 404 in OpenAI shape for a model no provider serves', async () => {
    const error = await client().chat.completions.create({ model: 'claude-nope', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ code: 'RAMPART_MODEL_NOT_FOUND', param: 'model' });
  });

  it('maps an upstream 429 to 429 with retry-after, without the upstream body', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'slow down [mock:status=429,retry-after=7]' }] }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    const body = (await res.json()) as { error: { code: string; type: string } };
    expect(body.error).toMatchObject({ code: 'RAMPART_UPSTREAM_RATE_LIMITED', type: 'rate_limit_error' });
  });

  it('maps an upstream 500 to 502', async () => {
    const error = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'boom [mock:status=500]' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'RAMPART_UPSTREAM_ERROR' });
  });

  it('ends a stream cut by the upstream with an error event the SDK raises', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'a long answer that will be cut [mock:reset-after=2]' }],
    });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/stream ended before the answer was complete/i);
    expect(text.length).toBeGreaterThan(0);
  });

  it('ends a stream with a malformed upstream chunk with an error event', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'bad chunk [mock:malformed]' }] }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"code":"RAMPART_UPSTREAM_INVALID_RESPONSE"');
    expect(text).not.toContain('[DONE]');
  });

  it('answers a failure before the first byte as a plain HTTP error, not a broken stream', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'cut [mock:reset-after=0]' }] }));
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  const waitForAbort = async (before: number): Promise<{ aborted: number; inFlight: number; ms: number }> => {
    const started = Date.now();
    let stats = await mockStats();
    while (stats.aborted <= before && Date.now() - started < 1_000) {
      await new Promise((r) => setTimeout(r, 10));
      stats = await mockStats();
    }
    return { aborted: stats.aborted, inFlight: stats.inFlight, ms: Date.now() - started };
  };

  it('aborts the upstream call within 1 s when the client disconnects mid-stream', async () => {
    const before = await mockStats();
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `${words} [mock:drip=200]` }] }));
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value as Uint8Array)).toContain('chat.completion.chunk');
    await reader.cancel();
    const after = await waitForAbort(before.aborted);
    expect(after.aborted).toBe(before.aborted + 1);
    expect(after.ms).toBeLessThan(1_000);
    expect(after.inFlight).toBe(0);
  });

  it('aborts the upstream call when the client gives up before the first byte', async () => {
    const before = await mockStats();
    const controller = new AbortController();
    const pending = fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'never answered [mock:hang]' }] }),
    }).catch((e: unknown) => e);
    // Wait until the upstream has the request, then leave.
    for (let i = 0; i < 100 && (await mockStats()).inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    const after = await waitForAbort(before.aborted);
    expect(after.aborted).toBe(before.aborted + 1);
    expect(after.inFlight).toBe(0);
  });

  it('refuses a key revoked with the CLI', async () => {
    const result = await runCli(['keys', 'revoke', keyId, '--config', configFile]);
    expect(result.code).toBe(0);
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RAMPART_AUTH_KEY_REVOKED');
  });

  it('never wrote the client key or the upstream key to its logs', () => {
    const logs = serve.stdout() + serve.stderr();
    expect(logs).toContain('"msg":"access"');
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(upstreamKey);
  });
});
