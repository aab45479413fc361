// The official openai SDK consumes what the renderers produce: a fetch stub serves the rendered body in memory, so
// the SDK's own SSE decoding, ResponseStream accumulation and output_text derivation check the wire shapes.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../canonical/types.ts';
import { openAIResponsesClientCodec } from './codecs.ts';
import { parseResponsesRequest } from './parse-request.ts';

interface Served {
  client: OpenAI;
  bodies: unknown[];
}

function clientServing(body: string, contentType: string): Served {
  const bodies: unknown[] = [];
  const fetchStub = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': contentType } }));
  };
  return { client: new OpenAI({ apiKey: 'test', baseURL: 'http://sdk.invalid/v1', fetch: fetchStub, maxRetries: 0 }), bodies };
}

function renderStream(request: CanonicalRequest, events: StreamEvent[]): string {
  const renderer = openAIResponsesClientCodec.createStreamRenderer(request);
  return events.map((event) => renderer.render(event)).join('') + renderer.end();
}

const start: StreamEvent = { type: 'start', id: 'chatcmpl-9', model: 'gpt-4o', created: 1700000000 };

const toolStream: StreamEvent[] = [
  start,
  { type: 'thinking_delta', text: 'The user wants weather.' },
  { type: 'text_delta', text: 'Checking ' },
  { type: 'text_delta', text: 'weather.' },
  { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'finish', finishReason: 'tool_calls' },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 2, reasoningTokens: 3 } },
];

describe('openai SDK compatibility (responses)', () => {
  it('sends a request the parser accepts', async () => {
    const { client, bodies } = clientServing('{}', 'application/json');
    await client.responses.create({
      model: 'gpt-4o',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: 'https://x.test/a.png', detail: 'low' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: null }],
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' } } },
      reasoning: { effort: 'low', summary: 'auto' },
      max_output_tokens: 100,
    });
    const parsed = parseResponsesRequest(bodies[0]);
    expect(parsed.system).toStrictEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(parsed.messages.map((m) => m.role)).toStrictEqual(['user', 'assistant', 'tool']);
    expect(parsed.responseFormat).toStrictEqual({ type: 'json_schema', name: 'out', schema: { type: 'object' } });
  });

  it('reads a rendered non-streaming response, output_text included', async () => {
    const response: CanonicalResponse = {
      id: 'chatcmpl-2',
      model: 'gpt-4o',
      created: 1700000000,
      content: [
        { type: 'text', text: 'Bonjour' },
        { type: 'tool_call', id: 'call_9', name: 'lookup', arguments: '{"q":"x"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 1, cachedInputTokens: 0 },
    };
    const { client } = clientServing(JSON.stringify(openAIResponsesClientCodec.renderResponse(response)), 'application/json');
    const result = await client.responses.create({ model: 'gpt-4o', input: 'hi' });
    expect(result.id).toBe('resp_chatcmpl-2');
    expect(result.output_text).toBe('Bonjour');
    expect(result.status).toBe('completed');
    expect(result.output[1]).toStrictEqual({ id: 'fc_chatcmpl-2_1', type: 'function_call', status: 'completed', arguments: '{"q":"x"}', call_id: 'call_9', name: 'lookup' });
    expect(result.usage).toStrictEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 1,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 4,
    });
  });

  it('accumulates a rendered stream with responses.stream() into the final response', async () => {
    const request = parseResponsesRequest({ model: 'gpt-4o', input: 'Weather in Paris?', stream: true });
    const { client } = clientServing(renderStream(request, toolStream), 'text/event-stream');
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'Weather in Paris?' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas).toStrictEqual(['Checking ', 'weather.']);
    expect(final.id).toBe('resp_chatcmpl-9');
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Checking weather.');
    expect(final.output.map((item) => item.type)).toStrictEqual(['reasoning', 'message', 'function_call']);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'The user wants weather.' }] });
    expect(final.output[2]).toMatchObject({ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(final.usage).toStrictEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 2 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: 19,
    });
  });

  it('iterates responses.create({stream: true}) in sequence order and reads usage from response.completed', async () => {
    const request = parseResponsesRequest({ model: 'gpt-4o', input: 'hi', stream: true });
    const { client } = clientServing(renderStream(request, toolStream), 'text/event-stream');
    const stream = await client.responses.create({ model: 'gpt-4o', input: 'hi', stream: true });
    const types: string[] = [];
    const sequence: number[] = [];
    let totalTokens: number | undefined;
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.completed') totalTokens = event.response.usage?.total_tokens;
    }
    expect(sequence).toStrictEqual(sequence.map((_, i) => i));
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(totalTokens).toBe(19);
  });

  it('accepts interleaved parallel calls and a signed reasoning item, which the next turn sends back intact', async () => {
    const events: StreamEvent[] = [
      start,
      { type: 'thinking_delta', text: 'Two lookups.' },
      { type: 'thinking_signature', signature: 'c2lnbmF0dXJl' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'f' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'g' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"y":2}' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
    ];
    const first = clientServing(renderStream(parseResponsesRequest({ model: 'm', input: 'go', stream: true }), events), 'text/event-stream');
    const final = await first.client.responses.stream({ model: 'm', input: 'go', store: false, include: ['reasoning.encrypted_content'] }).finalResponse();
    expect(final.output).toMatchObject([
      { type: 'reasoning', encrypted_content: 'c2lnbmF0dXJl' },
      { type: 'function_call', call_id: 'call_a', arguments: '{"x":1}' },
      { type: 'function_call', call_id: 'call_b', arguments: '{"y":2}' },
    ]);

    // The stateless client loop (Codex with store: false): the whole output goes back with the tool results.
    const second = clientServing('{}', 'application/json');
    await second.client.responses.create({
      model: 'm',
      store: false,
      input: [
        { role: 'user', content: 'go' },
        // The SDK's output union includes hosted-tool items that are not valid input; this answer has none.
        ...final.output.flatMap((item) => (item.type === 'reasoning' || item.type === 'function_call' ? [item] : [])),
        { type: 'function_call_output', call_id: 'call_a', output: '1' },
        { type: 'function_call_output', call_id: 'call_b', output: '2' },
      ],
    });
    expect(parseResponsesRequest(second.bodies[0]).messages).toStrictEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Two lookups.', signature: 'c2lnbmF0dXJl' },
          { type: 'tool_call', id: 'call_a', name: 'f', arguments: '{"x":1}' },
          { type: 'tool_call', id: 'call_b', name: 'g', arguments: '{"y":2}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: '1' }] }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_b', content: [{ type: 'text', text: '2' }] }] },
    ]);
  });

  it('ends an incomplete stream with response.incomplete, which the SDK reports', async () => {
    const { client } = clientServing(
      renderStream({ model: 'm', system: [], messages: [], stream: true }, [
        start,
        { type: 'text_delta', text: 'Once upon' },
        { type: 'finish', finishReason: 'length' },
      ]),
      'text/event-stream',
    );
    const final = await client.responses.stream({ model: 'gpt-4o', input: 'story' }).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toStrictEqual({ reason: 'max_output_tokens' });
    expect(final.output_text).toBe('Once upon');
    expect(final.usage).toBeNull();
  });

  it('raises a rendered mid-stream error as an APIError carrying the message and code', async () => {
    const renderer = openAIResponsesClientCodec.createStreamRenderer({ model: 'm', system: [], messages: [], stream: true });
    const wire =
      renderer.render(start) +
      renderer.render({ type: 'text_delta', text: 'Hel' }) +
      renderer.error({ error: { message: 'Upstream timed out', type: 'timeout_error', param: null, code: 'RAMPART_UPSTREAM_TIMEOUT', request_id: 'req_1' } });
    const { client } = clientServing(wire, 'text/event-stream');
    const stream = await client.responses.create({ model: 'm', input: 'hi', stream: true });
    let caught: unknown;
    try {
      for await (const _event of stream) {
        // drain
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OpenAI.APIError);
    expect((caught as InstanceType<typeof OpenAI.APIError>).message).toMatch(/Upstream timed out/);
    expect((caught as InstanceType<typeof OpenAI.APIError>).code).toBe('RAMPART_UPSTREAM_TIMEOUT');
  });
});
