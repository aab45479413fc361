import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, buildApp } from '../app.ts';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import { parseConfig } from '../config/load.ts';
import { type MockUpstream, startMockUpstream } from '../devtools/mock-upstream/index.ts';
import { ClientKeyService } from '../keys/client-keys.ts';
import { MonthlyQuota } from '../limits/monthly-quota.ts';
import { createLogger } from '../logging/logger.ts';
import { CooldownTracker } from '../routing/cooldowns.ts';
import { MemoryCooldownStore } from '../storage/memory/memory-cooldown-store.ts';
import type { Storage, UsageEventRecord } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { queryUsage } from './usage-query.ts';
import { UsageRecorder } from './usage-recorder.ts';

/** Usage accounting through the real proxy: Fastify, undici, the mock upstream, SQLite. */
describe('usage accounting (in-process proxy)', () => {
  let mock: MockUpstream;
  let app: App;
  let base: string;
  let key: string;
  let keyId: string;
  let dataDir: string;
  let storage: Storage;
  let recorder: UsageRecorder;
  let cooldowns: CooldownTracker;
  const audit = new MemoryAuditLog();
  const upstreamKey = 'sk-usage-upstream-secret';

  beforeAll(async () => {
    mock = await startMockUpstream({ port: 0, apiKey: upstreamKey });
    const { config } = parseConfig(
      `providers:
  - id: up
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mock.url}/v1
    credentials: [{ apiKey: "${upstreamKey}" }]
    models: [gpt-4o-mini, text-embedding-3-small, { name: friendly, upstream: gpt-4o }]
  - id: wrongkey
    type: openai-compatible
    allowPrivateNetwork: true
    baseUrl: ${mock.url}/v1
    credentials: [{ apiKey: sk-wrong }]
    models: [wrong-key-model]
routing: { retries: 0 }
`,
      { env: {} },
    );
    dataDir = await mkdtemp(path.join(tmpdir(), 'rampart-usage-'));
    storage = await openSqliteStorage(dataDir);
    const keys = new ClientKeyService(storage.clientKeys, Buffer.alloc(32, 2));
    const created = await keys.create('usage');
    key = created.key;
    keyId = created.record.id;
    // A long interval: the tests decide when rows are written (flush), so they also show nothing is written per request.
    recorder = new UsageRecorder(storage.usageEvents, { audit, flushMs: 600_000 });
    cooldowns = new CooldownTracker(new MemoryCooldownStore(), config.routing.cooldowns);
    app = buildApp({ config, keys, cooldowns, quota: new MonthlyQuota({ store: storage.tokenUsage }), log: createLogger('silent'), audit, usage: recorder });
    await app.proxy.listen({ host: '127.0.0.1', port: 0 });
    const address = app.proxy.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${address.port}`;
  });

  // A cut stream cools its credential; each test starts with every credential usable.
  afterEach(async () => {
    await cooldowns.reset();
  });

  afterAll(async () => {
    await app.close();
    await recorder.close();
    await mock.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = (route: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body), signal: signal ?? null });

  /** The stored row of one request, once it has been recorded and flushed. */
  async function rowOf(requestId: string | null): Promise<UsageEventRecord> {
    expect(requestId).toMatch(/^req_/);
    let found: UsageEventRecord | undefined;
    await vi.waitFor(
      async () => {
        await recorder.flush();
        const rows = await storage.usageEvents.list({ since: new Date(0), until: new Date(Date.now() + 60_000), limit: 10_000 });
        found = rows.find((r) => r.requestId === requestId);
        expect(found).toBeDefined();
      },
      { timeout: 5_000, interval: 20 },
    );
    return found!;
  }

  it('records a JSON answer with the provider’s token counts, provider, credential and both model names', async () => {
    const res = await post('/v1/chat/completions', { model: 'friendly', messages: [{ role: 'user', content: 'count these words please' }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({
      keyId,
      providerId: 'up',
      credentialId: 'up#0',
      modelRequested: 'friendly',
      modelUpstream: 'gpt-4o',
      route: 'chat',
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      estimated: false,
      status: 200,
      outcome: 'ok',
    });
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('records a stream from its final usage event', async () => {
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'stream a few words back' }] });
    expect(res.status).toBe(200);
    const text = await res.text();
    const usageChunk = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { usage?: { prompt_tokens: number; completion_tokens: number } | null })
      .find((chunk) => chunk.usage);
    expect(usageChunk?.usage).toBeDefined();
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ inputTokens: usageChunk!.usage!.prompt_tokens, outputTokens: usageChunk!.usage!.completion_tokens, estimated: false, status: 200, outcome: 'ok' });
  });

  it('estimates a stream the upstream cut before its usage event, and says so', async () => {
    const content = 'one two three four five six seven eight [mock:reset-after=2]';
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('RAMPART_UPSTREAM');
    // What the client received before the cut: the output estimate counts exactly that.
    const relayed = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map((line) => JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] })
      .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(relayed.length).toBeGreaterThan(0);
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ estimated: true, status: 200, outcome: 'upstream_error' });
    // Estimates: about four characters a token, for the input and for the output relayed before the cut.
    expect(row.inputTokens).toBe(Math.ceil(content.length / 4));
    expect(row.outputTokens).toBe(Math.ceil(relayed.length / 4));
  });

  it('records a stream the client left mid-way as client_abort, with estimated counts', async () => {
    const controller = new AbortController();
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'a b c d e f g h i j [mock:drip=200]' }] }, controller.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ outcome: 'client_abort', estimated: true, status: 200 });
    expect(row.inputTokens).toBeGreaterThan(0);
    // The first chunk reached the client before it left: its output is counted too.
    expect(row.outputTokens).toBeGreaterThan(0);
  });

  it('records embeddings with their input tokens', async () => {
    const res = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: ['first text to embed', 'second'] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number } };
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ route: 'embeddings', inputTokens: body.usage.prompt_tokens, outputTokens: 0, estimated: false, outcome: 'ok', providerId: 'up' });
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('records a failed upstream call with the status the client got', async () => {
    const res = await post('/v1/chat/completions', { model: 'wrong-key-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(res.status).toBe(502);
    const row = await rowOf(res.headers.get('x-request-id'));
    expect(row).toMatchObject({ providerId: 'wrongkey', credentialId: 'wrongkey#0', status: 502, outcome: 'upstream_error', inputTokens: 0, outputTokens: 0 });
  });

  it('emits one provider_request audit event per request: ids, counts and status, never prompt text or secrets', async () => {
    const secretish = 'unique-prompt-text-7d3f';
    const res = await post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: secretish }] });
    const id = res.headers.get('x-request-id');
    await res.text();
    await rowOf(id);
    const events = audit.events.filter((e) => e.type === 'provider_request' && e.requestId === id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: `key:${keyId}`, ip: '127.0.0.1', outcome: 'success', details: { provider: 'up', credentialId: 'up#0', model: 'gpt-4o-mini', status: 200 } });
    const all = JSON.stringify(audit.events);
    expect(all).not.toContain(secretish);
    expect(all).not.toContain(upstreamKey);
    expect(all).not.toContain(key);
  });

  it('groups the stored rows by model, provider and key', async () => {
    await recorder.flush();
    const range = { since: new Date(Date.now() - 3_600_000), until: new Date(Date.now() + 60_000) };
    const rows = await storage.usageEvents.list({ ...range, limit: 10_000 });
    const byModel = await queryUsage(storage.usageEvents, { ...range, groupBy: 'model' });
    for (const group of byModel.groups) {
      const mine = rows.filter((r) => (r.modelUpstream ?? r.modelRequested) === group.group);
      expect(group.requests).toBe(mine.length);
      expect(group.inputTokens).toBe(mine.reduce((n, r) => n + r.inputTokens, 0));
      expect(group.outputTokens).toBe(mine.reduce((n, r) => n + r.outputTokens, 0));
    }
    expect(byModel.groups.map((g) => g.group)).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small', 'wrong-key-model']));
    const byProvider = await queryUsage(storage.usageEvents, { ...range, groupBy: 'provider' });
    expect(byProvider.total).toEqual(byModel.total);
    expect(byProvider.groups.find((g) => g.group === 'wrongkey')?.failedRequests).toBe(1);
    const byKey = await queryUsage(storage.usageEvents, { ...range, groupBy: 'key' });
    expect(byKey.groups).toHaveLength(1);
    expect(byKey.groups[0]).toMatchObject({ group: keyId, requests: rows.length });
  });
});
