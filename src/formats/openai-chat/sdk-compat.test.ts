// The official openai SDK consumes what the renderers produce: a fetch stub serves the rendered body in memory,
// so the SDK's own SSE decoding and ChatCompletionStream accumulation check the wire shapes (no network).
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalResponse, StreamEvent } from '../canonical/types.ts';
import { renderChatResponse } from './render-response.ts';
import { createChatStreamRenderer } from './render-stream.ts';

function clientServing(body: string, contentType: string): OpenAI {
  const fetchStub = (): Promise<Response> => Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': contentType } }));
  return new OpenAI({ apiKey: 'test', baseURL: 'http://sdk.invalid/v1', fetch: fetchStub, maxRetries: 0 });
}

describe('openai SDK compatibility', () => {
  it('accumulates a rendered stream into the expected final completion', async () => {
    const renderer = createChatStreamRenderer({ includeUsage: true });
    const events: StreamEvent[] = [
      { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1700000000 },
      { type: 'text_delta', text: 'Checking ' },
      { type: 'text_delta', text: 'weather.' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 7 } },
    ];
    const wire = events.map((event) => renderer.render(event)).join('') + renderer.renderDone();
    const client = clientServing(wire, 'text/event-stream');
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    const final = await stream.finalChatCompletion();
    expect(final.id).toBe('chatcmpl-1');
    expect(final.choices[0]?.message.content).toBe('Checking weather.');
    expect(final.choices[0]?.message.tool_calls).toStrictEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.usage).toStrictEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
  });

  it('reads a rendered non-streaming response', async () => {
    const response: CanonicalResponse = {
      id: 'chatcmpl-2',
      model: 'gpt-4o',
      created: 1700000000,
      content: [{ type: 'text', text: 'Bonjour' }],
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0 },
    };
    const client = clientServing(JSON.stringify(renderChatResponse(response)), 'application/json');
    const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message).toStrictEqual({ role: 'assistant', content: 'Bonjour', refusal: null });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('surfaces a rendered mid-stream error as an APIError', async () => {
    const renderer = createChatStreamRenderer({ includeUsage: false });
    const wire =
      renderer.render({ type: 'start', id: 'c', model: 'm', created: 1 }) +
      renderer.renderError({ error: { message: 'Upstream timed out', type: 'timeout_error', param: null, code: 'RAMPART_UPSTREAM_TIMEOUT' } });
    const client = clientServing(wire, 'text/event-stream');
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    await expect(async () => {
      for await (const _chunk of stream) {
        // drain
      }
    }).rejects.toThrow(/Upstream timed out/);
  });
});
