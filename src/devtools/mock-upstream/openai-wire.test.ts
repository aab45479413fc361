// Raw-HTTP checks of the exact OpenAI wire shapes: bodies, headers, SSE framing, errors, observability.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockUpstream, RecordedRequest } from './index.ts';
import { countTokens, startMockUpstream } from './index.ts';
import { chatBody, postChat, sseData } from './test-support.ts';

const KEY = 'sk-test-wire-0123456789';
// vitest types asymmetric matchers as `any`; these wrappers keep the object literals below type-safe.
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const anyNumber = (): unknown => expect.any(Number);
const anyString = (): unknown => expect.any(String);
const AUTH = { authorization: `Bearer ${KEY}` };
let mock: MockUpstream;

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
});
afterAll(() => mock.close());
beforeEach(async () => {
  await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
});

describe('server', () => {
  it('listens on the reported port and url', () => {
    expect(mock.port).toBeGreaterThan(0);
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
  });
});

describe('GET /v1/models', () => {
  it('lists the fixed models in OpenAI shape', async () => {
    const res = await fetch(`${mock.url}/v1/models`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { object: string; data: { id: string; object: string; created: number; owned_by: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1', 'o3-mini', 'text-embedding-3-small']));
    for (const model of body.data) {
      expect(Object.keys(model).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
      expect(model.object).toBe('model');
    }
  });

  it('gets one model, or 404 model_not_found', async () => {
    const found = await fetch(`${mock.url}/v1/models/gpt-4o`, { headers: AUTH });
    expect(await found.json()).toEqual({ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' });
    const missing = await fetch(`${mock.url}/v1/models/nope`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { message: "The model 'nope' does not exist", type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
  });
});

describe('POST /v1/chat/completions (non-stream)', () => {
  it('answers a full chat.completion with OpenAI headers', async () => {
    const res = await postChat(mock.url, { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there, world!' }] }, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.headers.get('openai-processing-ms')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toMatch(/^\d+$/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: matching(/^chatcmpl-[A-Za-z0-9]{29}$/),
      object: 'chat.completion',
      created: anyNumber(),
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Echo: Hello there, world!', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: countTokens('Be brief.') + countTokens('Hello there, world!'),
        completion_tokens: countTokens('Echo: Hello there, world!'),
        total_tokens: countTokens('Be brief.') + countTokens('Hello there, world!') + countTokens('Echo: Hello there, world!'),
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: 'default',
      system_fingerprint: matching(/^fp_/),
    });
    expect(Math.abs((body['created'] as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('joins text parts, echoes unknown models, and greets when no user text exists', async () => {
    const parts = await postChat(mock.url, { model: 'my-custom-model', messages: [{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }] }, AUTH);
    const partsBody = (await parts.json()) as { model: string; choices: { message: { content: string } }[] };
    expect(partsBody.model).toBe('my-custom-model');
    expect(partsBody.choices[0]?.message.content).toBe('Echo: one\ntwo');
    const none = await postChat(mock.url, { model: 'gpt-4o', messages: [{ role: 'system', content: 'x' }] }, AUTH);
    expect(((await none.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe('Hello from mock-upstream.');
  });

  it('cuts the reply at max_tokens / max_completion_tokens with finish_reason length', async () => {
    for (const field of ['max_tokens', 'max_completion_tokens']) {
      const res = await postChat(mock.url, chatBody('alpha beta gamma delta', { [field]: 3 }), AUTH);
      const body = (await res.json()) as { choices: { message: { content: string }; finish_reason: string }[]; usage: { completion_tokens: number } };
      expect(body.choices[0]?.message.content).toBe('Echo: alpha');
      expect(body.choices[0]?.finish_reason).toBe('length');
      expect(body.usage.completion_tokens).toBe(3);
    }
  });

  it('answers tool calls with null content and finish_reason tool_calls', async () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ];
    const res = await postChat(mock.url, chatBody('please call get_time and call get_weather', { tools }), AUTH);
    const body = (await res.json()) as { choices: { message: Record<string, unknown>; finish_reason: string }[]; usage: { completion_tokens: number } };
    const choice = body.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: matching(/^call_[A-Za-z0-9]{24}$/), type: 'function', function: { name: 'get_time', arguments: '{}' } },
        { id: matching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"city":"test"}' } },
      ],
      refusal: null,
      annotations: [],
    });
    expect(body.usage.completion_tokens).toBe(countTokens('{}') + countTokens('{"city":"test"}'));

    const forced = await postChat(mock.url, chatBody('no mention', { tools, tool_choice: { type: 'function', function: { name: 'get_weather' } } }), AUTH);
    const forcedBody = (await forced.json()) as { choices: { message: { tool_calls: { function: { name: string } }[] } }[] };
    expect(forcedBody.choices[0]?.message.tool_calls.map((c) => c.function.name)).toEqual(['get_weather']);

    const none = await postChat(mock.url, chatBody('call get_time', { tools, tool_choice: 'none' }), AUTH);
    expect(((await none.json()) as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason).toBe('stop');

    const single = await postChat(mock.url, chatBody('call get_time call get_weather', { tools, parallel_tool_calls: false }), AUTH);
    expect(((await single.json()) as { choices: { message: { tool_calls: unknown[] } }[] }).choices[0]?.message.tool_calls).toHaveLength(1);
  });
});

describe('POST /v1/chat/completions (stream)', () => {
  it('streams chunks with role first, one piece per chunk, finish, usage and [DONE]', async () => {
    const res = await postChat(mock.url, chatBody('Hi, you!', { stream: true, stream_options: { include_usage: true } }), AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const data = sseData(await res.text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown> & { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] });
    const id = chunks[0]?.['id'];
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id, object: 'chat.completion.chunk', model: 'gpt-4o-mini', service_tier: 'default', system_fingerprint: matching(/^fp_/) });
      expect(typeof chunk['obfuscation']).toBe('string');
    }
    expect(chunks[0]?.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    const pieces = chunks.slice(1, -2).map((c) => c.choices[0]?.delta['content']);
    expect(pieces).toEqual(['Echo', ':', ' Hi', ',', ' you', '!']);
    expect(chunks.at(-2)?.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.['usage']).toMatchObject({ prompt_tokens: countTokens('Hi, you!'), completion_tokens: 6, total_tokens: countTokens('Hi, you!') + 6 });
    for (const chunk of chunks.slice(0, -1)) expect(chunk['usage']).toBeNull();
  });

  it('omits usage entirely without include_usage, and obfuscation when include_obfuscation is false', async () => {
    const res = await postChat(mock.url, chatBody('Hi', { stream: true, stream_options: { include_obfuscation: false } }), AUTH);
    const chunks = sseData(await res.text()).slice(0, -1).map((d) => JSON.parse(d) as Record<string, unknown>);
    expect(chunks).toHaveLength(1 + 3 + 1);
    for (const chunk of chunks) {
      expect('usage' in chunk).toBe(false);
      expect('obfuscation' in chunk).toBe(false);
    }
  });

  it('streams tool calls as OpenAI does: opening delta, then argument fragments', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } }];
    const res = await postChat(mock.url, chatBody('x', { stream: true, tools, tool_choice: 'required' }), AUTH);
    const chunks = sseData(await res.text()).slice(0, -1).map((d) => JSON.parse(d) as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] });
    expect(chunks[0]?.choices[0]?.delta).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: matching(/^call_/), type: 'function', function: { name: 'lookup', arguments: '' } }],
      refusal: null,
    });
    const fragments = chunks.slice(1, -1).map((c) => {
      const calls = c.choices[0]?.delta['tool_calls'] as { index: number; function: { arguments: string } }[];
      expect(Object.keys(calls[0] ?? {}).sort()).toEqual(['function', 'index']);
      return calls[0]?.function.arguments;
    });
    expect(fragments.length).toBeGreaterThan(1);
    expect(fragments.join('')).toBe('{"q":"test"}');
    expect(chunks.at(-1)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });
});

describe('errors', () => {
  const post = (body: unknown, headers: Record<string, string> = AUTH): Promise<Response> => postChat(mock.url, body, headers);

  it.each([
    ['not json', '{"model":', null, null],
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'model', 'missing_required_parameter'],
    ['model not a string', { model: 5, messages: [{ role: 'user', content: 'x' }] }, 'model', 'invalid_type'],
    ['no messages', { model: 'gpt-4o' }, 'messages', 'missing_required_parameter'],
    ['empty messages', { model: 'gpt-4o', messages: [] }, 'messages', 'empty_array'],
    ['messages not array', { model: 'gpt-4o', messages: 'hi' }, 'messages', 'invalid_type'],
    ['bad role', { model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value'],
    ['max_tokens 0', chatBody('x', { max_tokens: 0 }), 'max_tokens', 'integer_below_min_value'],
    ['n > 1', chatBody('x', { n: 2 }), 'n', 'unsupported_value'],
    ['stream_options without stream', chatBody('x', { stream_options: { include_usage: true } }), 'stream_options', null],
  ])('400 for %s', async (_name, body, param, code) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: Record<string, unknown> };
    expect(json.error).toEqual({ message: anyString(), type: 'invalid_request_error', param, code });
  });

  it('404 model_not_found for does-not-exist', async () => {
    const res = await post(chatBody('x', { model: 'does-not-exist' }));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: 'The model `does-not-exist` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' },
    });
  });

  it('404 for unknown routes and 405 for a wrong method, in OpenAI shape', async () => {
    const unknown = await fetch(`${mock.url}/v1/nope`, { headers: AUTH });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/nope)', type: 'invalid_request_error', param: null, code: null } });
    const wrong = await fetch(`${mock.url}/v1/chat/completions`, { headers: AUTH });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('Invalid method for URL (GET /v1/chat/completions)');
  });

  it('401 for a wrong or missing key, without echoing the key', async () => {
    const wrong = await post(chatBody('x'), { authorization: 'Bearer sk-wrong-key-abcdef' });
    expect(wrong.status).toBe(401);
    const wrongBody = (await wrong.json()) as { error: Record<string, unknown> };
    expect(wrongBody.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    expect(String(wrongBody.error['message'])).not.toContain('sk-wrong-key-abcdef');
    const missing = await fetch(`${mock.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^You didn't provide an API key/);
  });
});

describe('/__mock observability', () => {
  it('records requests with parsed or raw bodies, and clears them', async () => {
    await postChat(mock.url, chatBody('recorded'), { ...AUTH, 'x-trace': 'abc' });
    await postChat(mock.url, 'not json at all', AUTH);
    const list = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as RecordedRequest[];
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: chatBody('recorded') });
    expect(list[0]?.headers['x-trace']).toBe('abc');
    expect(list[1]?.body).toBe('not json at all');
    const cleared = await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect(await (await fetch(`${mock.url}/__mock/requests`)).json()).toEqual([]);
  });

  it('keeps only the last 100 requests', async () => {
    for (let i = 0; i < 105; i++) await fetch(`${mock.url}/v1/models?i=${i}`, { headers: AUTH });
    const list = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as RecordedRequest[];
    expect(list).toHaveLength(100);
    expect(list[0]?.path).toBe('/v1/models?i=5');
    expect(list[99]?.body).toBeNull();
  });

  it('counts requests but not its own routes', async () => {
    const before = (await (await fetch(`${mock.url}/__mock/stats`)).json()) as { requests: number; inFlight: number };
    await fetch(`${mock.url}/v1/models`, { headers: AUTH });
    const after = (await (await fetch(`${mock.url}/__mock/stats`)).json()) as { requests: number; inFlight: number };
    expect(after.requests).toBe(before.requests + 1);
    expect(after.inFlight).toBe(0);
  });
});
