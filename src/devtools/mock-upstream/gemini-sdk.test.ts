// The official @google/genai SDK as a client (it calls /v1beta/models/{model}:method with x-goog-api-key, and
// streams with ?alt=sse): proves the fake is wire-compatible with what real clients parse.
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockUpstream, RecordedRequest } from './index.ts';
import { GEMINI_MODELS, countTokens, embeddingVector, startMockUpstream } from './index.ts';

const KEY = 'AIza-test-sdk-0123456789';
const MODEL = 'gemini-2.5-flash';
let mock: MockUpstream;
let ai: GoogleGenAI;

const lastRequest = async (): Promise<RecordedRequest | undefined> => ((await (await fetch(`${mock.url}/__mock/requests`)).json()) as RecordedRequest[]).at(-1);

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
  ai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: mock.url } });
});
beforeEach(async () => {
  await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
});
afterAll(() => mock.close());

describe('@google/genai against mock-upstream', () => {
  it('generates content via /v1beta with the key header, with usage from the tokenizer', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'How are you?', config: { systemInstruction: 'Be nice.' } });
    expect(response.text).toBe('Echo: How are you?');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBe(countTokens('Be nice.') + countTokens('How are you?'));
    expect(response.usageMetadata?.candidatesTokenCount).toBe(countTokens('Echo: How are you?'));
    expect(response.modelVersion).toBe(MODEL);
    const recorded = await lastRequest();
    expect(recorded?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(recorded?.headers['x-goog-api-key']).toBe(KEY);
  });

  it('streams content with generateContentStream (SSE) and reports the final usage', async () => {
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'Stream me, please.' });
    const texts: string[] = [];
    let last: Awaited<ReturnType<typeof ai.models.generateContent>> | undefined;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? '');
      last = chunk;
    }
    expect(texts.join('')).toBe('Echo: Stream me, please.');
    expect(texts.length).toBe(countTokens('Echo: Stream me, please.') + 1);
    expect(last?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(countTokens('Echo: Stream me, please.'));
    expect((await lastRequest())?.path).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
  });

  it('stops at maxOutputTokens with MAX_TOKENS', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'one two three four', config: { maxOutputTokens: 2 } });
    expect(response.text).toBe('Echo:');
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('returns function calls, by name or forced with mode ANY', async () => {
    const tools = [{ functionDeclarations: [{ name: 'get_weather', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING }, days: { type: Type.INTEGER } }, required: ['city', 'days'] } }] }];
    const named = await ai.models.generateContent({ model: MODEL, contents: 'call get_weather for Paris', config: { tools } });
    expect(named.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'test', days: 1 } }]);
    const forced = await ai.models.generateContent({
      model: MODEL,
      contents: 'anything',
      config: { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } } },
    });
    expect(forced.functionCalls?.map((call) => call.name)).toEqual(['get_weather']);
  });

  it('returns thoughts with includeThoughts and counts them', async () => {
    const response = await ai.models.generateContent({ model: MODEL, contents: 'Ponder', config: { thinkingConfig: { includeThoughts: true } } });
    expect(response.candidates?.[0]?.content?.parts).toEqual([{ text: 'Thinking about: Ponder', thought: true }, { text: 'Echo: Ponder' }]);
    expect(response.usageMetadata?.thoughtsTokenCount).toBe(countTokens('Thinking about: Ponder'));
    expect(response.text).toBe('Echo: Ponder');
  });

  it('counts tokens, embeds, and lists and gets models', async () => {
    expect((await ai.models.countTokens({ model: MODEL, contents: 'count these words' })).totalTokens).toBe(countTokens('count these words'));
    const embedded = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['alpha', 'beta'], config: { outputDimensionality: 4 } });
    expect(embedded.embeddings?.map((e) => e.values)).toEqual([embeddingVector('alpha', 4), embeddingVector('beta', 4)]);
    const names: string[] = [];
    for await (const model of await ai.models.list({ config: { pageSize: 2 } })) names.push(model.name ?? '');
    expect(names).toEqual(GEMINI_MODELS.map((m) => m.name));
    expect((await ai.models.get({ model: 'gemini-2.5-pro' })).displayName).toBe('Gemini 2.5 Pro');
  });

  it('raises ApiError with the HTTP status for a wrong key (400), an unknown model (404) and bad input (400)', async () => {
    const bad = new GoogleGenAI({ apiKey: 'AIza-wrong', httpOptions: { baseUrl: mock.url } });
    await expect(bad.models.generateContent({ model: MODEL, contents: 'x' })).rejects.toMatchObject({ name: 'ApiError', status: 400, message: expect.stringContaining('API_KEY_INVALID') as unknown });
    const missing: unknown = await ai.models.generateContent({ model: 'does-not-exist', contents: 'x' }).then(() => undefined, (e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).status).toBe(404);
    await expect(ai.models.generateContent({ model: MODEL, contents: [{ role: 'user', parts: [] }] })).rejects.toMatchObject({ status: 400 });
  });
});
