// Every fault, seen by a raw HTTP client and by the official SDK.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { MALFORMED_EVENT, startMockUpstream } from './index.ts';
import { chatBody, eventually, postChat, readUntilError, sseData, stats } from './test-support.ts';

let mock: MockUpstream;
let client: OpenAI;
const fault = (spec: string): Record<string, string> => ({ 'x-mock-fault': spec });
const streamBody = (content: string): Record<string, unknown> => chatBody(content, { stream: true });
const sdkBody = (content: string): { model: string; messages: { role: 'user'; content: string }[] } => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
});

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
  client = new OpenAI({ apiKey: 'unused', baseURL: `${mock.url}/v1`, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => mock.close());

describe('latency', () => {
  it('delays the response headers (header or message directive)', async () => {
    for (const [body, headers] of [
      [chatBody('x'), fault('latency=250')],
      [chatBody('x [mock:latency=250]'), {}],
    ] as const) {
      const started = performance.now();
      const res = await postChat(mock.url, body, headers);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);
      expect(Number(res.headers.get('openai-processing-ms'))).toBeGreaterThanOrEqual(245);
      expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Echo: x');
    }
  });
});

describe('status', () => {
  it('429 carries retry-after (default 1, or as given) and OpenAI rate-limit headers', async () => {
    const res = await postChat(mock.url, chatBody('x'), fault('status=429'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(res.headers.get('x-ratelimit-limit-requests')).toMatch(/^\d+$/);
    expect(((await res.json()) as { error: Record<string, unknown> }).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null });
    const given = await postChat(mock.url, chatBody('x [mock:status=429,retry-after=7]'));
    expect(given.headers.get('retry-after')).toBe('7');
  });

  it('429 makes the SDK raise RateLimitError with status 429 and the retry-after header', async () => {
    const error: unknown = await client.chat.completions.create(sdkBody('x [mock:status=429,retry-after=3]')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('3');
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'invalid_request_error'],
    [403, 'request_forbidden'],
    [418, 'invalid_request_error'],
    [500, 'server_error'],
    [502, 'server_error'],
    [503, 'server_error'],
  ])('status=%i answers an OpenAI-shaped error of that status', async (status, type) => {
    const res = await postChat(mock.url, chatBody('x'), fault(`status=${status}`));
    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error['type']).toBe(type);
  });

  it('maps to the SDK error classes, and stream requests get JSON errors too', async () => {
    await expect(client.chat.completions.create(sdkBody('[mock:status=500]'))).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(client.chat.completions.create({ ...sdkBody('[mock:status=503]'), stream: true })).rejects.toMatchObject({ status: 503 });
    const res = await postChat(mock.url, streamBody('x'), fault('status=500'));
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('applies to the models routes through the header', async () => {
    const res = await fetch(`${mock.url}/v1/models`, { headers: fault('status=503') });
    expect(res.status).toBe(503);
  });
});

describe('reset-after', () => {
  it('stream: sends N content chunks, then cuts the connection before finish and [DONE]', async () => {
    const before = await stats(mock.url);
    const res = await postChat(mock.url, streamBody('one two three four'), fault('reset-after=2'));
    expect(res.status).toBe(200);
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeInstanceOf(Error);
    const data = sseData(text);
    expect(data).toHaveLength(3);
    expect(data.map((d) => (JSON.parse(d) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content)).toEqual(['', 'Echo', ':']);
    expect(text).not.toContain('[DONE]');
    // A drop the server chose is not a client abort.
    expect((await stats(mock.url)).aborted).toBe(before.aborted);
  });

  it('stream: the SDK iterator throws after the chunks that arrived', async () => {
    const stream = await client.chat.completions.create({ ...sdkBody('one two three [mock:reset-after=1]'), stream: true });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow();
    expect(seen).toEqual(['', 'Echo']);
  });

  it('non-stream: the socket closes before any response', async () => {
    await expect(postChat(mock.url, chatBody('x'), fault('reset-after=0'))).rejects.toThrow(TypeError);
    await expect(client.chat.completions.create(sdkBody('x [mock:reset-after=0]'))).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });
});

describe('stream-error', () => {
  it('stream: sends N content chunks, then a data: {error} event, and ends cleanly without finish or [DONE]', async () => {
    const before = await stats(mock.url);
    const res = await postChat(mock.url, streamBody('one two three'), fault('stream-error=2'));
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeUndefined();
    const data = sseData(text);
    expect(data).toHaveLength(4);
    expect(JSON.parse(data[3] ?? '')).toEqual({
      error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null },
    });
    expect(text).not.toContain('[DONE]');
    expect((await stats(mock.url)).aborted).toBe(before.aborted);
  });

  it('the SDK iterator raises an APIError after the chunks before it; `:NNN` picks the error', async () => {
    const stream = await client.chat.completions.create({ ...sdkBody('one two [mock:stream-error=1:429]'), stream: true });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    const error: unknown = await consume().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(seen).toEqual(['', 'Echo']);
  });

  it('non-stream: answers the error as the HTTP response', async () => {
    const res = await postChat(mock.url, chatBody('x [mock:stream-error=3]'));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('server_error');
  });
});

describe('malformed', () => {
  it('inserts a bad data line after the first content chunk, then continues to [DONE]', async () => {
    const res = await postChat(mock.url, streamBody('hello'), fault('malformed'));
    const text = await res.text();
    const data = sseData(text);
    expect(text).toContain(MALFORMED_EVENT);
    expect(data[2]).toBe('{not json');
    expect(() => JSON.parse(data[2] ?? '') as unknown).toThrow(SyntaxError);
    expect(JSON.parse(data[1] ?? '')).toMatchObject({ choices: [{ delta: { content: 'Echo' } }] });
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('makes the SDK stream fail', async () => {
    const stream = await client.chat.completions.create({ ...sdkBody('hello [mock:malformed]'), stream: true });
    const consume = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(consume()).rejects.toThrow(SyntaxError);
  });
});

describe('drip', () => {
  it('spaces the events out', async () => {
    const started = performance.now();
    const res = await postChat(mock.url, streamBody('a b'), fault('drip=40'));
    const arrivals: number[] = [];
    for await (const _chunk of res.body as ReadableStream<Uint8Array>) arrivals.push(performance.now() - started);
    // role + 4 content + finish + [DONE] = 7 events, 6 gaps of 40 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(6 * 40 - 10);
    expect(arrivals.length).toBeGreaterThanOrEqual(5);
  });
});

describe('hang and client aborts', () => {
  it('stream: sends the first chunk, stalls, and counts the client leaving as aborted', async () => {
    const before = await stats(mock.url);
    const controller = new AbortController();
    const res = await postChat(mock.url, streamBody('x'), fault('hang'), controller.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((resolve) => setTimeout(() => resolve('stalled'), 200))]);
    expect(next).toBe('stalled');
    expect((await stats(mock.url)).inFlight).toBe(before.inFlight + 1);
    controller.abort();
    await eventually(async () => {
      const now = await stats(mock.url);
      return now.aborted === before.aborted + 1 && now.inFlight === before.inFlight;
    });
  });

  it('non-stream: sends headers, never the body', async () => {
    const before = await stats(mock.url);
    const controller = new AbortController();
    const res = await postChat(mock.url, chatBody('x [mock:hang]'), {}, controller.signal);
    expect(res.status).toBe(200);
    const body = await Promise.race([res.text(), new Promise((resolve) => setTimeout(() => resolve('stalled'), 200))]);
    expect(body).toBe('stalled');
    controller.abort();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });

  it('a client leaving during latency is counted as aborted', async () => {
    const before = await stats(mock.url);
    await expect(postChat(mock.url, chatBody('x'), fault('latency=5000'), AbortSignal.timeout(100))).rejects.toThrow();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });
});

describe('bad fault spec', () => {
  it('answers 400 naming the bad item (header or directive)', async () => {
    const res = await postChat(mock.url, chatBody('x'), fault('latency=10,explode=1'));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string; code: string } };
    expect(body.error.message).toContain("'explode=1'");
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_mock_fault' });
    const directive = await postChat(mock.url, chatBody('x [mock:status=abc]'));
    expect(directive.status).toBe(400);
    expect(((await directive.json()) as { error: { message: string } }).error.message).toContain("'status=abc'");
  });
});
