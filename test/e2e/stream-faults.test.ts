import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseParser } from '../../src/formats/sse/parser.ts';
import { type Gateway, MODELS, type ProviderType, startGateway } from '../conformance/gateway.ts';

/**
 * Streams that go wrong, for every client format and every provider type: an upstream cut mid-stream ends the
 * client stream with a well-formed error event in the client's format; a client that leaves aborts the upstream call
 * within one second.
 */
type ClientFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

function streamRequest(gateway: Gateway, format: ClientFormat, model: string, text: string): { url: string; init: RequestInit } {
  const json = { 'content-type': 'application/json' };
  switch (format) {
    case 'openai-chat':
      return { url: `${gateway.proxyUrl}/v1/chat/completions`, init: { method: 'POST', headers: { ...json, authorization: `Bearer ${gateway.key}` }, body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: text }] }) } };
    case 'openai-responses':
      return { url: `${gateway.proxyUrl}/v1/responses`, init: { method: 'POST', headers: { ...json, authorization: `Bearer ${gateway.key}` }, body: JSON.stringify({ model, stream: true, input: text }) } };
    case 'anthropic':
      return {
        url: `${gateway.proxyUrl}/v1/messages`,
        init: { method: 'POST', headers: { ...json, 'x-api-key': gateway.key, 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model, max_tokens: 512, stream: true, messages: [{ role: 'user', content: text }] }) },
      };
    case 'gemini':
      return {
        url: `${gateway.proxyUrl}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
        init: { method: 'POST', headers: { ...json, 'x-goog-api-key': gateway.key }, body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text }] }] }) },
      };
  }
}

function sseEvents(body: string): { event?: string; data: Record<string, unknown> }[] {
  const parser = createSseParser();
  return [...parser.push(body), ...parser.end()]
    .filter((e) => e.data !== '[DONE]')
    .map((e) => ({ ...(e.event === undefined ? {} : { event: e.event }), data: JSON.parse(e.data) as Record<string, unknown> }));
}

function lastEvent(body: string): { event?: string; data: Record<string, unknown> } {
  const last = sseEvents(body).at(-1);
  if (!last) throw new Error(`no SSE events in: ${body}`);
  return last;
}

/** The error event each client format ends a broken stream with. */
function expectErrorEvent(format: ClientFormat, body: string, code: string): void {
  const last = lastEvent(body);
  switch (format) {
    case 'openai-chat':
      expect(last.data).toMatchObject({ error: { code } });
      expect(body).not.toContain('[DONE]');
      break;
    case 'openai-responses': {
      // An `error` event (the SDK raises it), then `response.failed` closing the response (what Codex reads).
      const events = sseEvents(body);
      expect(events.find((e) => e.event === 'error')?.data).toMatchObject({ type: 'error', code });
      expect(last.event).toBe('response.failed');
      expect(last.data).toMatchObject({ type: 'response.failed', response: { status: 'failed' } });
      break;
    }
    case 'anthropic':
      expect(last.event).toBe('error');
      expect(last.data).toMatchObject({ type: 'error', error: { code } });
      break;
    case 'gemini':
      expect(last.data).toMatchObject({ error: { details: [{ reason: code }] } });
      break;
  }
}

describe('stream faults across formats (real processes)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const stats = async () => (await (await fetch(`${gateway.mockUrl}/__mock/stats`)).json()) as { aborted: number; inFlight: number };
  const formats: ClientFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
  const providers = Object.keys(MODELS) as ProviderType[];
  const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');

  for (const format of formats) {
    for (const provider of providers) {
      it(`${format} client ← ${provider}: upstream cut mid-stream ends with an error event`, async () => {
        const { url, init } = streamRequest(gateway, format, MODELS[provider], `${long} [mock:reset-after=3]`);
        const res = await fetch(url, init);
        expect(res.status).toBe(200);
        expectErrorEvent(format, await res.text(), 'RAMPART_UPSTREAM_STREAM_INTERRUPTED');
      });
    }

    it(`${format} client: an in-stream upstream error event is passed on as an error event`, async () => {
      const { url, init } = streamRequest(gateway, format, MODELS.anthropic, `${long} [mock:stream-error=3]`);
      const res = await fetch(url, init);
      expect(res.status).toBe(200);
      expectErrorEvent(format, await res.text(), 'RAMPART_UPSTREAM_UNAVAILABLE');
    });

    it(`${format} client: disconnecting mid-stream aborts the upstream call within 1 s`, async () => {
      const before = await stats();
      const { url, init } = streamRequest(gateway, format, MODELS['openai-compatible'], `${long} [mock:drip=200]`);
      const res = await fetch(url, init);
      const reader = res.body!.getReader();
      await reader.read();
      const left = Date.now();
      await reader.cancel();
      let now = await stats();
      while (now.aborted <= before.aborted && Date.now() - left < 1_000) {
        await new Promise((r) => setTimeout(r, 10));
        now = await stats();
      }
      expect(now.aborted).toBe(before.aborted + 1);
      expect(Date.now() - left).toBeLessThan(1_000);
    });
  }
});

describe('rate limits from every provider type carry a retry-after', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  for (const provider of Object.keys(MODELS) as ProviderType[]) {
    it(`${provider}: upstream 429 → 429 with retry-after (Gemini's from RetryInfo in the body)`, async () => {
      const res = await fetch(`${gateway.proxyUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.key}` },
        body: JSON.stringify({ model: MODELS[provider], messages: [{ role: 'user', content: 'slow down [mock:status=429,retry-after=9]' }] }),
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('9');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RAMPART_UPSTREAM_RATE_LIMITED');
    });
  }
});
