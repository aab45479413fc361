// The official @anthropic-ai/sdk as a client: proves the fake is wire-compatible with what real clients parse.
import Anthropic from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { ANTHROPIC_MODELS, THINKING_SIGNATURE, countTokens, startMockUpstream } from './index.ts';

const KEY = 'sk-ant-test-sdk-0123456789';
// A model the SDK has no deprecation warning for, so the test output stays clean.
const MODEL = 'claude-haiku-4-5';
let mock: MockUpstream;
let client: Anthropic;

const weatherTool: Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] },
};

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
  client = new Anthropic({ apiKey: KEY, baseURL: mock.url, maxRetries: 0 });
});
afterAll(() => mock.close());

describe('@anthropic-ai/sdk against mock-upstream', () => {
  it('creates a non-stream message and exposes the request id', async () => {
    const { data, request_id } = await client.messages
      .create({ model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'How are you?' }] })
      .withResponse();
    expect(request_id).toMatch(/^req_011C/);
    expect(data.content).toEqual([{ type: 'text', text: 'Echo: How are you?' }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.input_tokens).toBe(countTokens('How are you?'));
    expect(data.usage.output_tokens).toBe(countTokens('Echo: How are you?'));
  });

  it('streams raw events with stream: true', async () => {
    const stream = await client.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Stream me' }] });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Echo: Stream me');
    // The SDK swallows ping; everything else arrives in order.
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(types).not.toContain('ping');
  });

  it('accumulates a streamed message with messages.stream().finalMessage(), incl. max_tokens', async () => {
    const stream = client.messages.stream({ model: MODEL, max_tokens: 3, messages: [{ role: 'user', content: 'one two three four' }] });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(['Echo', ':', ' one']);
    expect(final.content).toEqual([{ type: 'text', text: 'Echo: one' }]);
    expect(final.stop_reason).toBe('max_tokens');
    expect(final.usage.output_tokens).toBe(3);
  });

  it('returns tool_use blocks (non-stream) and reassembles streamed tool input', async () => {
    const message = await client.messages.create({ model: MODEL, max_tokens: 100, tools: [weatherTool], messages: [{ role: 'user', content: 'call get_weather for Paris' }] });
    expect(message.stop_reason).toBe('tool_use');
    const block = message.content[0];
    if (block?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(block.name).toBe('get_weather');
    expect(block.input).toEqual({ city: 'test', days: 1 });

    const stream = client.messages.stream({ model: MODEL, max_tokens: 100, tools: [weatherTool], tool_choice: { type: 'tool', name: 'get_weather' }, messages: [{ role: 'user', content: 'anything' }] });
    let fragments = 0;
    stream.on('inputJson', (partial) => {
      if (partial !== '') fragments++;
    });
    const final = await stream.finalMessage();
    const streamed = final.content[0];
    if (streamed?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(streamed.id).toMatch(/^toolu_01/);
    expect(streamed.input).toEqual({ city: 'test', days: 1 });
    expect(fragments).toBe(countTokens('{"city":"test","days":1}'));
    expect(final.stop_reason).toBe('tool_use');
  });

  it('returns thinking blocks with their signature, streamed or not', async () => {
    const params = { model: MODEL, max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [{ role: 'user' as const, content: 'Ponder this' }] };
    const message = await client.messages.create(params);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Thinking about: Ponder this', signature: THINKING_SIGNATURE },
      { type: 'text', text: 'Echo: Ponder this' },
    ]);
    const stream = client.messages.stream(params);
    let thinking = '';
    stream.on('thinking', (delta) => {
      thinking += delta;
    });
    const final = await stream.finalMessage();
    expect(thinking).toBe('Thinking about: Ponder this');
    expect(final.content).toEqual(message.content);
    expect(final.usage.output_tokens).toBe(message.usage.output_tokens);
  });

  it('counts tokens and lists models with pagination', async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'count these words' }] });
    expect(counted.input_tokens).toBe(countTokens('count these words'));
    const ids: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) ids.push(model.id);
    expect(ids).toEqual(ANTHROPIC_MODELS.map((m) => m.id));
    expect((await client.models.retrieve('claude-opus-4-1-20250805')).display_name).toBe('Claude Opus 4.1');
  });

  it('raises typed errors: 401 AuthenticationError, 404 NotFoundError, 400 BadRequestError', async () => {
    const bad = new Anthropic({ apiKey: 'sk-ant-wrong', baseURL: mock.url, maxRetries: 0 });
    await expect(bad.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client.messages.create({ model: 'does-not-exist', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const invalid = client.messages.create({ model: MODEL, max_tokens: 5, messages: [] });
    await expect(invalid).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(invalid).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', requestID: expect.stringMatching(/^req_011C/) as unknown });
  });
});
