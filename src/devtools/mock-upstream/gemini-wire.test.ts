// Raw-HTTP checks of the exact Gemini wire shapes: responses, usageMetadata, SSE (CRLF) and JSON-array
// streaming, countTokens, embeddings, models, key handling and Google-shaped errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { GEMINI_MODELS, OPENAI_MODELS, countTokens, embeddingVector, startMockUpstream } from './index.ts';
import { crlfSseData, postJson } from './test-support.ts';

const KEY = 'AIza-test-wire-0123456789';
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const AUTH = { 'x-goog-api-key': KEY };
let mock: MockUpstream;

const contents = (text: string): { role: string; parts: { text: string }[] }[] => [{ role: 'user', parts: [{ text }] }];
const call = (method: string, payload: unknown, headers: Record<string, string> = AUTH, model = 'gemini-2.5-flash', version = 'v1beta'): Promise<Response> =>
  postJson(mock.url, `/${version}/models/${model}:${method}`, payload, headers);
const usage = (prompt: number, candidates: number, extra: Record<string, number> = {}): Record<string, unknown> => ({
  promptTokenCount: prompt,
  candidatesTokenCount: candidates,
  totalTokenCount: prompt + candidates + (extra['thoughtsTokenCount'] ?? 0),
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  ...extra,
});
type Chunk = { candidates: { content: { parts: Record<string, unknown>[]; role: string }; finishReason?: string; index: number }[]; usageMetadata: Record<string, unknown> };

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
});
afterAll(() => mock.close());

describe(':generateContent', () => {
  it('answers a GenerateContentResponse with Google headers and tokenizer usage', async () => {
    const res = await call('generateContent', { contents: contents('Hello there, world!'), systemInstruction: { parts: [{ text: 'Be brief.' }] } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(res.headers.get('server-timing')).toMatch(/^gfet4t7; dur=\d+$/);
    const prompt = countTokens('Be brief.') + countTokens('Hello there, world!');
    expect(await res.json()).toEqual({
      candidates: [{ content: { parts: [{ text: 'Echo: Hello there, world!' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usage(prompt, countTokens('Echo: Hello there, world!')),
      modelVersion: 'gemini-2.5-flash',
      responseId: matching(/^[A-Za-z0-9]{23}$/),
    });
  });

  it('puts a thought part first with includeThoughts, and cuts at maxOutputTokens with MAX_TOKENS', async () => {
    const thinking = (await (await call('generateContent', { contents: contents('Why?'), generationConfig: { thinkingConfig: { includeThoughts: true } } })).json()) as Chunk;
    expect(thinking.candidates[0]?.content.parts).toEqual([{ text: 'Thinking about: Why?', thought: true }, { text: 'Echo: Why?' }]);
    expect(thinking.usageMetadata).toEqual(usage(countTokens('Why?'), countTokens('Echo: Why?'), { thoughtsTokenCount: countTokens('Thinking about: Why?') }));
    const cut = (await (await call('generateContent', { contents: contents('alpha beta gamma'), generationConfig: { maxOutputTokens: 3 } })).json()) as Chunk;
    expect(cut.candidates[0]).toMatchObject({ content: { parts: [{ text: 'Echo: alpha' }] }, finishReason: 'MAX_TOKENS' });
    expect(cut.usageMetadata['candidatesTokenCount']).toBe(3);
  });

  it('answers functionCall parts when asked by name or forced by mode ANY', async () => {
    const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] } }, { name: 'get_time' }] }];
    const named = (await (await call('generateContent', { contents: contents('call get_time and call get_weather'), tools })).json()) as Chunk;
    expect(named.candidates[0]).toEqual({
      content: { parts: [{ functionCall: { name: 'get_time', args: {} } }, { functionCall: { name: 'get_weather', args: { city: 'test' } } }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    });
    expect(named.usageMetadata['candidatesTokenCount']).toBe(countTokens('{}') + countTokens('{"city":"test"}'));
    const forced = (await (await call('generateContent', { contents: contents('no mention'), tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_time'] } } })).json()) as Chunk;
    expect(forced.candidates[0]?.content.parts).toEqual([{ functionCall: { name: 'get_time', args: {} } }]);
    const none = (await (await call('generateContent', { contents: contents('call get_time'), tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } })).json()) as Chunk;
    expect(none.candidates[0]?.content.parts).toEqual([{ text: 'Echo: call get_time' }]);
  });

  it('is served under /v1 too', async () => {
    const res = await call('generateContent', { contents: contents('v1 path') }, AUTH, 'gemini-2.5-pro', 'v1');
    expect(((await res.json()) as Chunk & { modelVersion: string }).modelVersion).toBe('gemini-2.5-pro');
  });
});

describe(':streamGenerateContent', () => {
  it('with alt=sse: CRLF-framed data events, one part each, cumulative usage, finish chunk last', async () => {
    const res = await call('streamGenerateContent?alt=sse', { contents: contents('Hi, you!') });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const chunks = crlfSseData(await res.text()).map((d) => JSON.parse(d) as Chunk & { responseId: string });
    const pieces = ['Echo', ':', ' Hi', ',', ' you', '!'];
    expect(chunks).toHaveLength(pieces.length + 1);
    chunks.slice(0, -1).forEach((chunk, i) => {
      expect(chunk.candidates).toEqual([{ content: { parts: [{ text: pieces[i] }], role: 'model' }, index: 0 }]);
      expect(chunk.usageMetadata).toEqual(usage(countTokens('Hi, you!'), i + 1));
      expect(chunk.responseId).toBe(chunks[0]?.responseId);
    });
    expect(chunks.at(-1)?.candidates).toEqual([{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }]);
    expect(chunks.at(-1)?.usageMetadata).toEqual(usage(countTokens('Hi, you!'), pieces.length));
  });

  it('without alt=sse: one JSON array whose elements arrive as separate writes', async () => {
    // A small drip keeps the client from reading several writes as one chunk.
    const res = await call('streamGenerateContent', { contents: contents('a b') }, { ...AUTH, 'x-mock-fault': 'drip=15' });
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const decoder = new TextDecoder();
    const writes: string[] = [];
    for await (const chunk of res.body as ReadableStream<Uint8Array>) writes.push(decoder.decode(chunk, { stream: true }));
    const text = writes.join('');
    expect(text.startsWith('[{')).toBe(true);
    expect(text.endsWith('\n]')).toBe(true);
    expect(text).toContain('},\r\n{');
    const array = JSON.parse(text) as Chunk[];
    expect(array.map((c) => c.candidates[0]?.content.parts[0]?.['text'])).toEqual(['Echo', ':', ' a', ' b', '']);
    expect(array.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    // Incremental: the first element is on the wire before the array is complete.
    expect(writes.length).toBeGreaterThan(3);
    expect(JSON.parse(`${writes[0] ?? ''}]`)).toHaveLength(1);
  });

  it('streams thought parts before the answer and function calls as whole parts', async () => {
    const thought = crlfSseData(await (await call('streamGenerateContent?alt=sse', { contents: contents('x'), generationConfig: { thinkingConfig: { includeThoughts: true } } })).text()).map((d) => JSON.parse(d) as Chunk);
    expect(thought[0]?.candidates[0]?.content.parts).toEqual([{ text: 'Thinking', thought: true }]);
    expect(thought.at(-1)?.usageMetadata['thoughtsTokenCount']).toBe(countTokens('Thinking about: x'));
    const tools = [{ functionDeclarations: [{ name: 'lookup', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['q'] } }] }];
    const calls = crlfSseData(await (await call('streamGenerateContent?alt=sse', { contents: contents('call lookup'), tools })).text()).map((d) => JSON.parse(d) as Chunk);
    expect(calls[0]?.candidates[0]?.content.parts).toEqual([{ functionCall: { name: 'lookup', args: { q: 'test' } } }]);
    expect(calls).toHaveLength(2);
  });
});

describe(':countTokens, :embedContent, :batchEmbedContents', () => {
  it('counts contents, or a whole generateContentRequest with its system instruction', async () => {
    const counted = await call('countTokens', { contents: contents('one two three') });
    expect(await counted.json()).toEqual({ totalTokens: 3, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 3 }] });
    const full = await call('countTokens', { generateContentRequest: { model: 'models/gemini-2.5-flash', contents: contents('one two'), systemInstruction: { parts: [{ text: 'sys' }] } } });
    expect(((await full.json()) as { totalTokens: number }).totalTokens).toBe(countTokens('sys') + countTokens('one two'));
  });

  it('embeds deterministically, honouring outputDimensionality', async () => {
    const one = await call('embedContent', { content: { parts: [{ text: 'hello' }] } }, AUTH, 'gemini-embedding-001');
    expect(await one.json()).toEqual({ embedding: { values: embeddingVector('hello', 8) } });
    const batch = await call('batchEmbedContents', {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    }, AUTH, 'gemini-embedding-001');
    expect(await batch.json()).toEqual({ embeddings: [{ values: embeddingVector('a', 3) }, { values: embeddingVector('b', 8) }] });
  });
});

describe('models', () => {
  it('lists and gets models under /v1beta, and under /v1 for Google clients only', async () => {
    expect(await (await fetch(`${mock.url}/v1beta/models`, { headers: AUTH })).json()).toEqual({ models: GEMINI_MODELS });
    const paged = (await (await fetch(`${mock.url}/v1beta/models?pageSize=2&key=${KEY}`)).json()) as { models: unknown[]; nextPageToken: string };
    expect(paged.models).toEqual(GEMINI_MODELS.slice(0, 2));
    const rest = (await (await fetch(`${mock.url}/v1beta/models?pageSize=50&pageToken=${paged.nextPageToken}`, { headers: AUTH })).json()) as { models: unknown[]; nextPageToken?: string };
    expect(rest.models).toEqual(GEMINI_MODELS.slice(2));
    expect(rest.nextPageToken).toBeUndefined();
    expect(await (await fetch(`${mock.url}/v1/models/gemini-2.5-pro`, { headers: AUTH })).json()).toEqual(GEMINI_MODELS[1]);
    const openai = (await (await fetch(`${mock.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { data: unknown };
    expect(openai.data).toEqual(OPENAI_MODELS);
    const missing = await fetch(`${mock.url}/v1beta/models/gemini-nope`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { status: string } }).error.status).toBe('NOT_FOUND');
  });
});

describe('errors', () => {
  it('403 PERMISSION_DENIED without a key, 400 API_KEY_INVALID for a wrong one, ?key= accepted', async () => {
    const missing = await call('generateContent', { contents: contents('x') }, {});
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: Record<string, unknown> }).error).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    const wrong = await call('generateContent', { contents: contents('x') }, { 'x-goog-api-key': 'AIza-wrong' });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { code: number; message: string; status: string; details: { reason?: string }[] } };
    expect(body.error).toMatchObject({ code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' });
    expect(body.error.details[0]?.reason).toBe('API_KEY_INVALID');
    const query = await postJson(mock.url, `/v1beta/models/gemini-2.5-flash:generateContent?key=${KEY}`, { contents: contents('x') });
    expect(query.status).toBe(200);
  });

  it.each([
    ['no contents', {}, '* GenerateContentRequest.contents: contents is not specified\n'],
    ['empty parts', { contents: [{ role: 'user', parts: [] }] }, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n'],
    ['bad role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, 'Please use a valid role: user, model.'],
    ['ANY without functions', { contents: contents('x'), toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, 'Function calling config is set without function_declarations.'],
    ['non-integer maxOutputTokens', { contents: contents('x'), generationConfig: { maxOutputTokens: 'ten' } }, "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), ten"],
  ])('400 INVALID_ARGUMENT for %s', async (_name, payload, message) => {
    const res = await call('generateContent', payload);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
  });

  it('404 NOT_FOUND for does-not-exist and for unknown methods or paths', async () => {
    const model = await call('generateContent', { contents: contents('x') }, AUTH, 'does-not-exist');
    expect(model.status).toBe(404);
    expect(((await model.json()) as { error: { message: string } }).error.message).toMatch(/^models\/does-not-exist is not found for API version v1beta, or is not supported for generateContent/);
    const method = await call('explode', {});
    expect(await method.json()).toEqual({ error: { code: 404, message: 'Method not found.', status: 'NOT_FOUND' } });
    expect((await fetch(`${mock.url}/v1beta/tunedModels`, { headers: AUTH })).status).toBe(404);
  });
});
