// The official @google/genai SDK against the Gemini translators, in memory: a fetch stub captures what the SDK sends
// (parsed by the client-side parser) and serves what the renderers produce (decoded by the SDK's own response,
// stream and chat-history code). No network.
import { ApiError, GoogleGenAI, Type } from '@google/genai';
import { describe, expect, it } from 'vitest';
import type { CanonicalEmbeddingResponse, CanonicalResponse, StreamEvent } from '../canonical/types.ts';
import { parseCountTokensRequest, renderCountTokensResponse } from './count-tokens.ts';
import { parseBatchEmbedContentsRequest, renderBatchEmbedContentsResponse } from './embeddings.ts';
import { renderGeminiError } from './mappings.ts';
import { renderModelList } from './models.ts';
import { parseGenerateContentRequest } from './parse-request.ts';
import { renderGenerateContentResponse } from './render-response.ts';
import { createGenerateContentStreamRenderer } from './render-stream.ts';

interface Captured {
  url: URL;
  body: unknown;
}

/** A client whose every call is answered by `answer`; the calls are recorded. */
function clientServing(answer: (call: Captured) => Response): { ai: GoogleGenAI; calls: Captured[] } {
  const calls: Captured[] = [];
  const fetchStub = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const call = { url, body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined };
    calls.push(call);
    return Promise.resolve(answer(call));
  };
  const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: 'http://sdk.invalid', fetch: fetchStub, retryOptions: { attempts: 1 } } });
  return { ai, calls };
}

const json = (body: unknown): Response => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
const sse = (text: string): Response => new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });

/** The model and method of a `/v1beta/models/{model}:{method}` URL, as Rampart's route splits it. */
function route(url: URL): { model: string; method: string } {
  const tail = url.pathname.replace(/^\/v1beta\/models\//, '');
  const at = tail.lastIndexOf(':');
  return { model: tail.slice(0, at), method: tail.slice(at + 1) };
}

const answer: CanonicalResponse = {
  id: 'resp-1',
  model: 'gemini-2.5-flash',
  created: 0,
  content: [
    { type: 'thinking', text: 'The user greets me.' },
    { type: 'text', text: 'Hello!' },
    { type: 'thinking', text: '', signature: 'c2ln' },
    { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  finishReason: 'tool_calls',
  usage: { inputTokens: 20, outputTokens: 15, cachedInputTokens: 5, reasoningTokens: 6 },
};

describe('@google/genai SDK compatibility', () => {
  it('sends a request the client parser accepts, and reads the rendered response', async () => {
    const { ai, calls } = clientServing(() => json(renderGenerateContentResponse(answer)));
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: 'Hi' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] }],
      config: {
        systemInstruction: 'Be kind.',
        temperature: 0.5,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        thinkingConfig: { thinkingBudget: 512, includeThoughts: true },
        tools: [
          {
            functionDeclarations: [
              { name: 'get_weather', description: 'Weather', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] } },
            ],
          },
        ],
        toolConfig: { functionCallingConfig: { mode: 'ANY' as never, allowedFunctionNames: ['get_weather'] } },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT' as never, threshold: 'BLOCK_NONE' as never }],
      },
    });

    const [call] = calls;
    if (call === undefined) throw new Error('no call');
    const { model, method } = route(call.url);
    expect(method).toBe('generateContent');
    const request = parseGenerateContentRequest(call.body, { model, stream: false });
    expect(request).toMatchObject({
      model: 'gemini-2.5-flash',
      system: [{ type: 'text', text: 'Be kind.' }],
      temperature: 0.5,
      maxTokens: 256,
      stop: ['END'],
      reasoning: { budgetTokens: 512 },
      toolChoice: { type: 'tool', name: 'get_weather' },
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
    });
    expect(request.messages[0]?.content[1]).toStrictEqual({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } });
    expect(request.extensions?.gemini?.safetySettings).toStrictEqual([{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]);

    expect(response.text).toBe('Hello!');
    expect(response.functionCalls).toStrictEqual([{ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } }]);
    expect(response.candidates?.[0]?.content?.parts?.[2]?.thoughtSignature).toBe('c2ln');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toStrictEqual({
      promptTokenCount: 20,
      candidatesTokenCount: 9,
      totalTokenCount: 35,
      cachedContentTokenCount: 5,
      thoughtsTokenCount: 6,
    });
    expect(response.responseId).toBe('resp-1');
  });

  it('streams rendered SSE chunks through generateContentStream and keeps the chat history', async () => {
    const events: StreamEvent[] = [
      { type: 'start', id: 'resp-s', model: 'gemini-2.5-flash', created: 0 },
      { type: 'thinking_delta', text: 'Hmm.' },
      { type: 'text_delta', text: 'Hel' },
      { type: 'text_delta', text: 'lo' },
      { type: 'tool_call_start', index: 0, id: 'call_9', name: 'now' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } },
    ];
    const renderer = createGenerateContentStreamRenderer({ framing: 'sse' });
    const wire = events.map((event) => renderer.render(event)).join('') + renderer.end();
    const { ai, calls } = clientServing(() => sse(wire));

    const chat = ai.chats.create({ model: 'gemini-2.5-flash' });
    const stream = await chat.sendMessageStream({ message: 'Say hello' });
    let text = '';
    let usage: unknown;
    let finish: unknown;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      if (chunk.candidates?.[0]?.finishReason) finish = chunk.candidates[0].finishReason;
    }
    expect(calls[0]?.url.search).toBe('?alt=sse');
    expect(route(calls[0]?.url ?? new URL('http://x')).method).toBe('streamGenerateContent');
    expect(text).toBe('Hello');
    expect(finish).toBe('STOP');
    expect(usage).toStrictEqual({ promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 });
    // The SDK keeps a turn in its curated history only if every chunk was valid and one carried a finish reason.
    // It records one model content per chunk; a single invalid chunk would drop the whole exchange (user turn too).
    const history = chat.getHistory(true);
    expect(history.map((content) => content.role)).toStrictEqual(['user', 'model', 'model', 'model', 'model', 'model']);
    expect(history.flatMap((content) => content.parts ?? []).some((part) => part.functionCall?.name === 'now')).toBe(true);
  });

  it('raises an ApiError for a rendered in-stream error', async () => {
    const renderer = createGenerateContentStreamRenderer({ framing: 'sse' });
    const wire =
      renderer.render({ type: 'start', id: 'r', model: 'm', created: 0 }) +
      renderer.render({ type: 'text_delta', text: 'partial' }) +
      renderer.error(renderGeminiError(504, 'DEADLINE_EXCEEDED', 'Upstream timed out'));
    const { ai } = clientServing(() => sse(wire));
    const stream = await ai.models.generateContentStream({ model: 'm', contents: 'hi' });
    const read = async (): Promise<void> => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(read()).rejects.toBeInstanceOf(ApiError);
  });

  it('counts tokens, embeds and lists models through the SDK', async () => {
    const embeddings: CanonicalEmbeddingResponse = { model: 'text-embedding-004', embeddings: [[0.1, 0.2], [0.3, 0.4]] };
    const { ai, calls } = clientServing((call) => {
      if (call.url.pathname === '/v1beta/models') {
        return json(renderModelList([{ id: 'gemini-2.5-flash', ownedBy: 'google', created: 0, displayName: 'Gemini Flash' }]));
      }
      const { method } = route(call.url);
      if (method === 'countTokens') return json(renderCountTokensResponse({ inputTokens: 7 }));
      return json(renderBatchEmbedContentsResponse(embeddings));
    });

    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'How many tokens?' });
    expect(count.totalTokens).toBe(7);
    const countCall = calls[0];
    if (countCall === undefined) throw new Error('no call');
    expect(parseCountTokensRequest(countCall.body, { model: route(countCall.url).model }).messages).toStrictEqual([
      { role: 'user', content: [{ type: 'text', text: 'How many tokens?' }] },
    ]);

    const embedded = await ai.models.embedContent({
      model: 'text-embedding-004',
      contents: ['one', 'two'],
      config: { taskType: 'RETRIEVAL_QUERY', outputDimensionality: 2 },
    });
    expect(embedded.embeddings?.map((e) => e.values)).toStrictEqual([[0.1, 0.2], [0.3, 0.4]]);
    const embedCall = calls[1];
    if (embedCall === undefined) throw new Error('no call');
    expect(route(embedCall.url).method).toBe('batchEmbedContents');
    expect(parseBatchEmbedContentsRequest(embedCall.body, { model: route(embedCall.url).model })).toStrictEqual({
      model: 'text-embedding-004',
      inputs: ['one', 'two'],
      taskType: 'RETRIEVAL_QUERY',
      dimensions: 2,
    });

    const pager = await ai.models.list();
    const listed = pager.page.map((model) => ({ name: model.name, displayName: model.displayName, inputTokenLimit: model.inputTokenLimit }));
    expect(listed).toStrictEqual([{ name: 'models/gemini-2.5-flash', displayName: 'Gemini Flash', inputTokenLimit: 1_048_576 }]);
  });
});
