// The official @anthropic-ai/sdk consumes what the renderers produce and sends what the parsers read: a fetch stub
// serves rendered bodies in memory and captures the SDK's request bodies (no network), so the SDK's own SSE
// decoding and MessageStream accumulation check the wire shapes.
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { CanonicalResponse, StreamEvent } from '../canonical/types.ts';
import { parseCountTokensRequest, renderCountTokensResponse } from './count-tokens.ts';
import { renderModelList } from './models.ts';
import { parseMessagesRequest } from './parse-request.ts';
import { renderMessagesResponse } from './render-response.ts';
import { createMessagesStreamRenderer } from './render-stream.ts';

interface Served {
  client: Anthropic;
  requests: unknown[];
}

function clientServing(body: string, contentType: string): Served {
  const requests: unknown[] = [];
  const fetchStub = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof init?.body === 'string') requests.push(JSON.parse(init.body));
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': contentType } }));
  };
  return { client: new Anthropic({ apiKey: 'test', baseURL: 'http://sdk.invalid', fetch: fetchStub, maxRetries: 0 }), requests };
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('@anthropic-ai/sdk compatibility', () => {
  it('accumulates a rendered stream into the expected final message', async () => {
    const renderer = createMessagesStreamRenderer();
    const events: StreamEvent[] = [
      { type: 'start', id: 'msg_sdk', model: 'claude-x', created: 0 },
      { type: 'thinking_delta', text: 'Need ' },
      { type: 'thinking_delta', text: 'weather.' },
      { type: 'thinking_signature', signature: 'sig==' },
      { type: 'text_delta', text: 'Checking ' },
      { type: 'text_delta', text: 'now.' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool_call_start', index: 1, id: 'call_2', name: 'get_weather' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"city":"Rome"}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 100, cacheWriteInputTokens: 5 } },
    ];
    const wire = events.map((event) => renderer.render(event)).join('') + renderer.end();
    const { client, requests } = clientServing(wire, 'text/event-stream');
    const stream = client.messages.stream({
      model: 'claude-x',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      tools: [weatherTool],
      tool_choice: { type: 'auto', disable_parallel_tool_use: false },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather?' }] }],
    });
    const final = await stream.finalMessage();
    expect(final.id).toBe('msg_sdk');
    expect(final.content).toStrictEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'sig==' },
      { type: 'text', text: 'Checking now.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.stop_sequence).toBeNull();
    expect(final.usage).toStrictEqual({ input_tokens: 15, output_tokens: 40, cache_creation_input_tokens: 5, cache_read_input_tokens: 100 });

    // What the SDK sent is what parseMessagesRequest reads.
    const parsed = parseMessagesRequest(requests[0]);
    expect(parsed.stream).toBe(true);
    expect(parsed.reasoning).toStrictEqual({ budgetTokens: 2048, effort: 'low' });
    expect(parsed.tools?.[0]?.name).toBe('get_weather');
    expect(parsed.extensions?.anthropic?.cacheControl).toStrictEqual({ 'system.0': { type: 'ephemeral' } });
  });

  it('reads a rendered non-streaming response', async () => {
    const response: CanonicalResponse = {
      id: 'msg_2',
      model: 'claude-x',
      created: 0,
      content: [
        { type: 'text', text: 'Bonjour' },
        { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Lyon"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 1 },
    };
    const { client, requests } = clientServing(JSON.stringify(renderMessagesResponse(response)), 'application/json');
    const message = await client.messages.create({
      model: 'claude-x',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_0', name: 'get_weather', input: { city: 'Nice' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: 'sunny' }] },
      ],
      tools: [weatherTool],
    });
    expect(message.content).toStrictEqual([
      { type: 'text', text: 'Bonjour' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Lyon' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage.input_tokens).toBe(3);
    expect(parseMessagesRequest(requests[0]).messages.map((m) => m.role)).toStrictEqual(['user', 'assistant', 'tool']);
  });

  it('surfaces a rendered mid-stream error as an APIError of the right type', async () => {
    const renderer = createMessagesStreamRenderer();
    const wire =
      renderer.render({ type: 'start', id: 'm', model: 'claude-x', created: 0 }) +
      renderer.render({ type: 'text_delta', text: 'partial' }) +
      renderer.error({ type: 'error', error: { type: 'overloaded_error', message: 'Upstream overloaded', code: 'RAMPART_UPSTREAM_OVERLOADED' }, request_id: 'req_1' });
    const { client } = clientServing(wire, 'text/event-stream');
    const stream = await client.messages.create({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true });
    let thrown: unknown;
    try {
      for await (const _event of stream) {
        // drain
      }
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(APIError);
    expect((thrown as APIError).type).toBe('overloaded_error');
    expect((thrown as APIError).message).toMatch(/Upstream overloaded/);
  });

  it('counts tokens and lists models through the SDK', async () => {
    const counting = clientServing(JSON.stringify(renderCountTokensResponse({ inputTokens: 42 })), 'application/json');
    const count = await counting.client.messages.countTokens({ model: 'claude-x', system: 'S', messages: [{ role: 'user', content: 'hi' }], tools: [weatherTool] });
    expect(count.input_tokens).toBe(42);
    expect(parseCountTokensRequest(counting.requests[0]).system).toStrictEqual([{ type: 'text', text: 'S' }]);

    const listing = clientServing(JSON.stringify(renderModelList([{ id: 'claude-x', ownedBy: 'anthropic', created: 1700000000, displayName: 'Claude X' }])), 'application/json');
    const ids: string[] = [];
    for await (const model of listing.client.models.list()) ids.push(`${model.id}|${model.display_name}|${model.created_at}`);
    expect(ids).toStrictEqual(['claude-x|Claude X|2023-11-14T22:13:20Z']);
  });
});
