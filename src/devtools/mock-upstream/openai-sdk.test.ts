// The official openai SDK as a client: proves the fake is wire-compatible with what real clients parse.
import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream } from './index.ts';
import { OPENAI_MODELS, countTokens, startMockUpstream } from './index.ts';

const KEY = 'sk-test-sdk-0123456789';
let mock: MockUpstream;
let client: OpenAI;

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city', 'days'] },
  },
};

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
  client = new OpenAI({ apiKey: KEY, baseURL: `${mock.url}/v1`, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => mock.close());

describe('openai SDK against mock-upstream', () => {
  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(OPENAI_MODELS.map((m) => m.id));
    expect((await client.models.retrieve('o3-mini')).owned_by).toBe('system');
  });

  it('creates a non-stream completion and exposes the request id', async () => {
    const { data, response, request_id } = await client.chat.completions
      .create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'How are you?' }] })
      .withResponse();
    expect(response.status).toBe(200);
    expect(request_id).toMatch(/^req_/);
    expect(data.choices[0]?.message.content).toBe('Echo: How are you?');
    expect(data.usage?.prompt_tokens).toBe(countTokens('How are you?'));
    expect(data.usage?.completion_tokens).toBe(countTokens('Echo: How are you?'));
  });

  it('streams with include_usage: usage arrives only in the last chunk and matches the tokenizer', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream me, please.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const usages: unknown[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usages.push(chunk.usage);
    }
    expect(text).toBe('Echo: Stream me, please.');
    expect(finish).toBe('stop');
    expect(usages.slice(0, -1).every((u) => u === null)).toBe(true);
    expect(usages.at(-1)).toMatchObject({
      prompt_tokens: countTokens('Stream me, please.'),
      completion_tokens: countTokens('Echo: Stream me, please.'),
      total_tokens: countTokens('Stream me, please.') + countTokens('Echo: Stream me, please.'),
    });
  });

  it('stops at max_tokens with finish_reason length (stream helper)', async () => {
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'one two three four' }], max_tokens: 2 });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Echo:');
    expect(final.choices[0]?.finish_reason).toBe('length');
  });

  it('returns tool calls (non-stream) with schema-derived arguments', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'call get_weather for Paris' }],
      tools: [weatherTool],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'test', days: 1 });
  });

  it('reassembles streamed tool-call arguments with the stream helper', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'anything' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    let fragments = 0;
    stream.on('tool_calls.function.arguments.delta', (event) => {
      if (event.arguments_delta !== '') fragments++;
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'test', days: 1 });
    expect(fragments).toBe(countTokens(call.function.arguments));
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('raises typed errors: 401 AuthenticationError, 404 NotFoundError, 400 BadRequestError', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${mock.url}/v1`, maxRetries: 0, logLevel: 'off' });
    await expect(bad.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = client.chat.completions.create({ model: 'does-not-exist', messages: [{ role: 'user', content: 'x' }] });
    await expect(missing).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toMatchObject({ status: 400, code: 'empty_array', param: 'messages' });
  });
});
