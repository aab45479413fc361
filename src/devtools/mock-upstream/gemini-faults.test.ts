// Every fault on the Gemini routes, seen by a raw HTTP client and by @google/genai.
import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { GEMINI_MALFORMED_EVENT, startMockUpstream } from './index.ts';
import { crlfSseData, eventually, firstChunkThenStall, postJson, readUntilError, stats } from './test-support.ts';

const MODEL = 'gemini-2.5-flash';
let mock: MockUpstream;
let ai: GoogleGenAI;
const fault = (spec: string): Record<string, string> => ({ 'x-mock-fault': spec });
const body = (text: string): Record<string, unknown> => ({ contents: [{ role: 'user', parts: [{ text }] }] });
const call = (method: string, payload: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> =>
  postJson(mock.url, `/v1beta/models/${MODEL}:${method}`, payload, headers, signal);
const collect = async (contents: string): Promise<{ texts: string[]; error: unknown }> => {
  const texts: string[] = [];
  try {
    for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents })) texts.push(chunk.text ?? '');
    return { texts, error: undefined };
  } catch (error) {
    return { texts, error };
  }
};

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0 });
  ai = new GoogleGenAI({ apiKey: 'unused', httpOptions: { baseUrl: mock.url } });
});
afterAll(() => mock.close());

describe('status', () => {
  it('429 RESOURCE_EXHAUSTED carries the wait as RetryInfo (no Retry-After header); the SDK raises ApiError 429', async () => {
    const res = await call('generateContent', body('x'), fault('status=429,retry-after=7'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    const json = (await res.json()) as { error: { code: number; status: string; details: Record<string, unknown>[] } };
    expect(json.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(json.error.details).toContainEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' });
    const error: unknown = await ai.models.generateContent({ model: MODEL, contents: 'x [mock:status=429]' }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toContain('"retryDelay":"1s"');
  });

  it.each([
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [500, 'INTERNAL'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
  ])('status=%i answers {error:{code, message, status:%s}}', async (code, status) => {
    const res = await call('generateContent', body('x'), fault(`status=${code}`));
    expect(res.status).toBe(code);
    const json = (await res.json()) as { error: { code: number; message: string; status: string } };
    expect(json.error).toMatchObject({ code, status });
    expect(json.error.message.length).toBeGreaterThan(0);
  });

  it('applies to stream, countTokens, embed and models routes', async () => {
    await expect(ai.models.generateContentStream({ model: MODEL, contents: 'x [mock:status=503]' })).rejects.toMatchObject({ status: 503 });
    await expect(ai.models.countTokens({ model: MODEL, contents: 'x [mock:status=500]' })).rejects.toMatchObject({ status: 500 });
    await expect(ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'x [mock:status=403]' })).rejects.toMatchObject({ status: 403 });
    expect((await fetch(`${mock.url}/v1beta/models`, { headers: fault('status=503') })).status).toBe(503);
  });
});

describe('reset-after', () => {
  it('stream: N chunks arrive, then the connection drops before the finish chunk', async () => {
    const res = await call('streamGenerateContent?alt=sse', body('one two three'), fault('reset-after=2'));
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeInstanceOf(Error);
    expect(crlfSseData(text)).toHaveLength(2);
    expect(text).not.toContain('finishReason');
  });

  it('stream: the SDK iterator throws after the chunks that arrived; non-stream: it fails to connect', async () => {
    const { texts, error } = await collect('one two three [mock:reset-after=1]');
    expect(texts).toEqual(['Echo']);
    expect(error).toBeInstanceOf(Error);
    await expect(ai.models.generateContent({ model: MODEL, contents: 'x [mock:reset-after=0]' })).rejects.toThrow();
  });
});

describe('stream-error', () => {
  it('alt=sse: N chunks, then a {error} data event (503 UNAVAILABLE), then a clean end', async () => {
    const res = await call('streamGenerateContent?alt=sse', body('one two three'), fault('stream-error=2'));
    const { text, error } = await readUntilError(res.body as ReadableStream<Uint8Array>);
    expect(error).toBeUndefined();
    const data = crlfSseData(text);
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[2] ?? '')).toEqual({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
  });

  it('JSON array: the error is the last element, so the body is still one valid array', async () => {
    const res = await call('streamGenerateContent', body('one two three'), fault('stream-error=1:500'));
    const array = JSON.parse(await res.text()) as Record<string, unknown>[];
    expect(array).toHaveLength(2);
    expect(array[1]).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    const first = JSON.parse(await (await call('streamGenerateContent', body('x'), fault('stream-error=0'))).text()) as unknown[];
    expect(first).toEqual([{ error: expect.objectContaining({ code: 503 }) as unknown }]);
  });

  it('the SDK raises ApiError with the in-stream status after the chunks before it; non-stream gets it as HTTP', async () => {
    const { texts, error } = await collect('one two three [mock:stream-error=2]');
    expect(texts).toEqual(['Echo', ':']);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    await expect(ai.models.generateContent({ model: MODEL, contents: 'x [mock:stream-error=2:504]' })).rejects.toMatchObject({ status: 504 });
  });
});

describe('malformed, drip, latency', () => {
  it('malformed: a CRLF-framed broken event after the first chunk makes the SDK fail', async () => {
    const text = await (await call('streamGenerateContent?alt=sse', body('hello'), fault('malformed'))).text();
    expect(text).toContain(GEMINI_MALFORMED_EVENT);
    expect(crlfSseData(text)[1]).toBe('{not json');
    const { texts, error } = await collect('hello there [mock:malformed]');
    expect(texts).toEqual(['Echo']);
    expect(error).toBeInstanceOf(SyntaxError);
  });

  it('drip spaces the chunks out and latency delays the response', async () => {
    const started = performance.now();
    const chunks = crlfSseData(await (await call('streamGenerateContent?alt=sse', body('a b'), fault('drip=30'))).text());
    expect(performance.now() - started).toBeGreaterThanOrEqual((chunks.length - 1) * 30 - 10);
    const slow = performance.now();
    await ai.models.countTokens({ model: MODEL, contents: 'x [mock:latency=200]' });
    expect(performance.now() - slow).toBeGreaterThanOrEqual(190);
  });
});

describe('hang and client aborts', () => {
  it.each([
    ['alt=sse', 'streamGenerateContent?alt=sse', /^data: \{"candidates"/],
    ['JSON array', 'streamGenerateContent', /^\[\{\n {2}"candidates"/],
  ])('%s: sends the first chunk, stalls, and counts the client leaving as aborted', async (_name, method, firstChunk) => {
    const before = await stats(mock.url);
    const controller = new AbortController();
    const res = await call(method, body('x'), fault('hang'), controller.signal);
    const { first, next } = await firstChunkThenStall(res.body as ReadableStream<Uint8Array>);
    expect(first).toMatch(firstChunk);
    expect(next).toBe('stalled');
    controller.abort();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });

  it('an SDK call aborted during a non-stream hang is counted', async () => {
    const before = await stats(mock.url);
    const controller = new AbortController();
    const pending = ai.models.generateContent({ model: MODEL, contents: 'x [mock:hang]', config: { abortSignal: controller.signal } });
    await eventually(async () => (await stats(mock.url)).inFlight === before.inFlight + 1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(async () => (await stats(mock.url)).aborted === before.aborted + 1);
  });
});
