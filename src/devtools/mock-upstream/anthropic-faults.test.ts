// Every fault on the Anthropic routes, seen by a raw HTTP client and by @anthropic-ai/sdk.
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { startMockUpstream } from './index.ts';
import { eventually, firstChunkThenStall, namedSse, postJson, readUntilError, stats } from './test-support.ts';

const MODEL = 'claude-haiku-4-5';
let mock: MockUpstream;
let client: Anthropic;
const VERSION = { 'anthropic-version': '2023-06-01' };
const fault = (spec: string): Record<string, string> => ({ ...VERSION, 'x-mock-fault': spec });
const body = (content: string, stream = false): Record<string, unknown> => ({ model: MODEL, max_tokens: 100, stream, messages: [{ role: 'user', content }] });
const post = (payload: unknown, headers: Record<string, string> = VERSION, signal?: AbortSignal): Promise<Response> =>
  postJson(mock.url, '/v1/messages', payload, headers, signal);
const sdkParams = (content: string): { model: string; max_tokens: number; messages: { role: 'user'; content: string }[] } => ({
  model: MODEL,
  max_tokens: 100,
  messages: [{ role: 'user', content }],
});
const drain = async (stream: AsyncIterable<unknown>): Promise<void> => {
  for await (const _event of stream) {
    // consume
  }
};

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
  client = new Anthropic({ apiKey: 'unused', baseURL: mock.url, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => mock.close());

describe('status', () => {
  it('429 carries retry-after and anthropic-ratelimit-* headers; the SDK raises RateLimitError', async () => {
    const res = await post(body('x'), fault('status=429,retry-after=7'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(res.headers.get('anthropic-ratelimit-requests-reset')).toMatch(/Z$/);
    const json = (await res.json()) as { type: string; error: { type: string } };
    expect(json.type).toBe('error');
    expect(json.error.type).toBe('rate_limit_error');
    const error: unknown = await client.messages.create(sdkParams('x [mock:status=429,retry-after=3]')).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('3');
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [500, 'api_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('status=%i answers error type %s with a request id', async (status, type) => {
    const res = await post(body('x'), fault(`status=${status}`));
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { type: string; message: string }; request_id: string };
    expect(json.error.type).toBe(type);
    expect(json.error.message.length).toBeGreaterThan(0);
    expect(json.request_id).toBe(res.headers.get('request-id'));
  });

  it('maps to the SDK classes (529 OverloadedError, 403 PermissionDeniedError), stream requests too', async () => {
    await expect(client.messages.create(sdkParams('[mock:status=529]'))).rejects.toBeInstanceOf(Anthropic.OverloadedError);
    await expect(client.messages.create({ ...sdkParams('[mock:status=403]'), stream: true })).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    await expect(client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: '[mock:status=500]' }] })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
  });

  it('applies to the models routes through the header', async () => {
    const res = await fetch(`${mock.url}/v1/models`, { headers: fault('status=529') });
    expect(res.status).toBe(529);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
  });
});

describe('reset-after', () => {
  it('stream: N content deltas arrive, then the connection drops before content_block_stop', async () => {
    const res = await post(body('one two three four', true), fault('reset-after=2'));
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeInstanceOf(Error);
    const events = namedSse(text);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta']);
  });

  it('stream: the SDK stream throws after the deltas that arrived', async () => {
    const stream = client.messages.stream(sdkParams('one two three [mock:reset-after=1]'));
    const seen: string[] = [];
    stream.on('text', (delta) => seen.push(delta));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(seen).toEqual(['Echo']);
  });

  it('non-stream: the SDK sees a connection error', async () => {
    await expect(client.messages.create(sdkParams('x [mock:reset-after=0]'))).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
  });
});

describe('stream-error', () => {
  it('sends N deltas, then `event: error` with overloaded_error, and ends cleanly without message_stop', async () => {
    const before = await stats(mock.url);
    const res = await post(body('one two three', true), fault('stream-error=2'));
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeUndefined();
    const events = namedSse(text);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'error']);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect((await stats(mock.url)).aborted).toBe(before.aborted);
  });

  it('takes another status after a colon, and the SDK raises an APIError of that type', async () => {
    const res = await post(body('one two', true), fault('stream-error=0:500'));
    const events = namedSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'error']);
    expect(JSON.parse(events.at(-1)?.data ?? '')).toMatchObject({ error: { type: 'api_error' } });
    const stream = await client.messages.create({ ...sdkParams('one two [mock:stream-error=1]'), stream: true });
    const error: unknown = await drain(stream).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ type: 'overloaded_error', status: undefined });
  });

  it('non-stream: answers the error as the HTTP response', async () => {
    const res = await post(body('x [mock:stream-error=3]'));
    expect(res.status).toBe(529);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('overloaded_error');
  });
});

describe('malformed, drip, latency', () => {
  it('malformed: a named event with broken JSON after the first delta makes the SDK fail', async () => {
    const text = await (await post(body('hello there', true), fault('malformed'))).text();
    expect(text).toContain('event: content_block_delta\ndata: {not json\n\n');
    expect(text).toContain('event: message_stop');
    const stream = await client.messages.create({ ...sdkParams('hello [mock:malformed]'), stream: true });
    await expect(drain(stream)).rejects.toThrow(SyntaxError);
  });

  it('drip spaces events out and latency delays the headers', async () => {
    const started = performance.now();
    const text = await (await post(body('a', true), fault('drip=30'))).text();
    const events = namedSse(text).length;
    expect(performance.now() - started).toBeGreaterThanOrEqual((events - 1) * 30 - 10);
    const slow = performance.now();
    await client.messages.create(sdkParams('x [mock:latency=200]'));
    expect(performance.now() - slow).toBeGreaterThanOrEqual(190);
  });
});

describe('hang and client aborts', () => {
  it('stream: sends message_start, stalls, and counts the client leaving as aborted', async () => {
    const before = await stats(mock.url);
    const controller = new AbortController();
    const res = await post(body('x', true), fault('hang'), controller.signal);
    const { first, next } = await firstChunkThenStall(res.body as ReadableStream<Uint8Array>);
    expect(first).toMatch(/^event: message_start\n/);
    expect(next).toBe('stalled');
    controller.abort();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });

  it('SDK stream aborted by the caller during a hang is counted too', async () => {
    const before = await stats(mock.url);
    const stream = client.messages.stream(sdkParams('x [mock:hang]'));
    await new Promise<void>((resolve) => stream.on('streamEvent', () => resolve()));
    stream.abort();
    await expect(stream.finalMessage()).rejects.toThrow();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });
});
