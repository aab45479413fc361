// Raw-HTTP checks of the exact Anthropic wire shapes: Message bodies, headers, named SSE events, errors, models.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MockUpstream, RecordedRequest } from './index.ts';
import { ANTHROPIC_MODELS, OPENAI_MODELS, THINKING_SIGNATURE, countTokens, startMockUpstream } from './index.ts';
import type { NamedEvent } from './test-support.ts';
import { namedSse, postJson } from './test-support.ts';

const KEY = 'sk-ant-test-wire-0123456789';
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const HEADERS = { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' };
let mock: MockUpstream;

const body = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'claude-haiku-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content }],
  ...extra,
});
const postMessages = (payload: unknown, headers: Record<string, string> = HEADERS): Promise<Response> => postJson(mock.url, '/v1/messages', payload, headers);
const weather = { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } }, required: ['city'] } };
const parsed = (events: NamedEvent[]): Record<string, unknown>[] => events.map((e) => JSON.parse(e.data) as Record<string, unknown>);

beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, apiKey: KEY });
});
afterAll(() => mock.close());

describe('POST /v1/messages (non-stream)', () => {
  it('answers a full Message with Anthropic headers and tokenizer usage', async () => {
    const res = await postMessages(body('Hello there, world!', { system: 'Be brief.' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^req_011C[A-Za-z0-9]{20}$/);
    expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toMatch(/^\d+$/);
    expect(res.headers.get('anthropic-ratelimit-tokens-reset')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await res.json()).toEqual({
      id: matching(/^msg_01[A-Za-z0-9]{22}$/),
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: 'Echo: Hello there, world!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: countTokens('Be brief.') + countTokens('Hello there, world!'),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: countTokens('Echo: Hello there, world!'),
        service_tier: 'standard',
      },
    });
  });

  it('stops at max_tokens and at a stop sequence', async () => {
    const cut = (await (await postMessages(body('alpha beta gamma', { max_tokens: 3 }))).json()) as Record<string, unknown>;
    expect(cut).toMatchObject({ content: [{ type: 'text', text: 'Echo: alpha' }], stop_reason: 'max_tokens', stop_sequence: null, usage: { output_tokens: 3 } });
    const stopped = (await (await postMessages(body('alpha beta gamma', { stop_sequences: ['gamma', ' beta'] }))).json()) as Record<string, unknown>;
    expect(stopped).toMatchObject({ content: [{ type: 'text', text: 'Echo: alpha' }], stop_reason: 'stop_sequence', stop_sequence: ' beta' });
  });

  it('answers tool_use blocks when asked to call a tool or forced by tool_choice', async () => {
    const tools = [weather, { name: 'get_time', input_schema: { type: 'object', properties: {} } }];
    const named = (await (await postMessages(body('please call get_time then call get_weather', { tools }))).json()) as Record<string, unknown>;
    expect(named).toMatchObject({ stop_reason: 'tool_use', usage: { output_tokens: countTokens('{}') + countTokens('{"city":"test"}') } });
    expect(named['content']).toEqual([
      { type: 'tool_use', id: matching(/^toolu_01[A-Za-z0-9]{22}$/), name: 'get_time', input: {} },
      { type: 'tool_use', id: matching(/^toolu_01/), name: 'get_weather', input: { city: 'test' } },
    ]);
    const forced = (await (await postMessages(body('no mention', { tools, tool_choice: { type: 'tool', name: 'get_weather' } }))).json()) as { content: { name: string }[] };
    expect(forced.content.map((block) => block.name)).toEqual(['get_weather']);
    const any = (await (await postMessages(body('no mention', { tools, tool_choice: { type: 'any' } }))).json()) as { content: { name: string }[] };
    expect(any.content.map((block) => block.name)).toEqual(['get_weather']);
    const none = (await (await postMessages(body('call get_time', { tools, tool_choice: { type: 'none' } }))).json()) as { stop_reason: string };
    expect(none.stop_reason).toBe('end_turn');
    const single = (await (await postMessages(body('call get_time call get_weather', { tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } }))).json()) as { content: unknown[] };
    expect(single.content).toHaveLength(1);
  });

  it('puts a thinking block with the fixed signature first, counted in output_tokens', async () => {
    const res = await postMessages(body('Why?', { max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 } }));
    const message = (await res.json()) as { content: unknown[]; usage: { output_tokens: number } };
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Thinking about: Why?', signature: THINKING_SIGNATURE },
      { type: 'text', text: 'Echo: Why?' },
    ]);
    expect(message.usage.output_tokens).toBe(countTokens('Thinking about: Why?') + countTokens('Echo: Why?'));
  });
});

describe('POST /v1/messages (stream)', () => {
  it('sends the named events in order with one text_delta per token and usage in message_delta', async () => {
    const res = await postMessages(body('Hi, you!', { stream: true }));
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('request-id')).toMatch(/^req_011C/);
    const events = namedSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start', 'content_block_start', 'ping',
      ...Array<string>(countTokens('Echo: Hi, you!')).fill('content_block_delta'),
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
    const data = parsed(events);
    data.forEach((item, i) => expect(item['type']).toBe(events[i]?.event));
    expect(data[0]).toMatchObject({ message: { id: matching(/^msg_01/), content: [], stop_reason: null, usage: { input_tokens: countTokens('Hi, you!'), output_tokens: 1 } } });
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(data.slice(3, -3).map((d) => (d['delta'] as { text: string }).text)).toEqual(['Echo', ':', ' Hi', ',', ' you', '!']);
    expect(data.at(-2)).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } });
  });

  it('streams thinking (thinking_delta + signature_delta) and then tool input as input_json_delta fragments', async () => {
    const res = await postMessages(body('call get_weather', { stream: true, max_tokens: 4000, tools: [weather], thinking: { type: 'enabled', budget_tokens: 2000 } }));
    const data = parsed(namedSse(await res.text()));
    const starts = data.filter((d) => d['type'] === 'content_block_start').map((d) => d['content_block']);
    expect(starts).toEqual([{ type: 'thinking', thinking: '', signature: '' }, { type: 'tool_use', id: matching(/^toolu_01/), name: 'get_weather', input: {} }]);
    const deltas = data.filter((d) => d['type'] === 'content_block_delta') as { index: number; delta: Record<string, string> }[];
    expect(deltas.filter((d) => d.index === 0).map((d) => d.delta['type'])).toEqual([...Array<string>(countTokens('Thinking about: call get_weather')).fill('thinking_delta'), 'signature_delta']);
    const json = deltas.filter((d) => d.index === 1);
    expect(json[0]?.delta).toEqual({ type: 'input_json_delta', partial_json: '' });
    expect(json.length).toBeGreaterThan(3);
    expect(json.map((d) => d.delta['partial_json']).join('')).toBe('{"city":"test"}');
    expect(data.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('counts the same input tokens the message reports, without max_tokens', async () => {
    const payload = { model: 'claude-haiku-4-5', system: 'sys prompt', messages: [{ role: 'user', content: [{ type: 'text', text: 'one two' }] }] };
    const res = await postJson(mock.url, '/v1/messages/count_tokens', payload, HEADERS);
    expect(await res.json()).toEqual({ input_tokens: countTokens('sys prompt') + countTokens('one two') });
    const message = (await (await postMessages({ ...payload, max_tokens: 5 })).json()) as { usage: { input_tokens: number } };
    expect(message.usage.input_tokens).toBe(countTokens('sys prompt') + countTokens('one two'));
  });
});

describe('errors', () => {
  it.each([
    ['no model', { max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, 'model: Field required'],
    ['no max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens: Field required'],
    ['max_tokens 0', body('x', { max_tokens: 0 }), 'max_tokens: Input should be greater than or equal to 1'],
    ['max_tokens 1.5', body('x', { max_tokens: 1.5 }), 'max_tokens: Input should be a valid integer'],
    ['empty messages', { model: 'm', max_tokens: 5, messages: [] }, 'messages: at least one message is required'],
    ['assistant first', { model: 'm', max_tokens: 5, messages: [{ role: 'assistant', content: 'x' }] }, 'messages: first message must use the "user" role'],
    ['two user turns', { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }, 'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row'],
    ['bad role', { model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, "messages.0.role: Input should be 'user' or 'assistant'"],
    ['small thinking budget', body('x', { thinking: { type: 'enabled', budget_tokens: 100 } }), 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024'],
    ['budget over max_tokens', body('x', { max_tokens: 1500, thinking: { type: 'enabled', budget_tokens: 1500 } }), '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size'],
    ['unknown forced tool', body('x', { tools: [weather], tool_choice: { type: 'tool', name: 'nope' } }), "tool_choice.tool.name: Tool 'nope' not found in provided tools"],
  ])('400 invalid_request_error for %s', async (_name, payload, message) => {
    const res = await postMessages(payload);
    expect(res.status).toBe(400);
    const requestId = res.headers.get('request-id');
    expect(requestId).toMatch(/^req_011C/);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message }, request_id: requestId });
  });

  it('400 without anthropic-version, 401 for a missing or wrong key, and accepts the key as a bearer token', async () => {
    const noVersion = await postMessages(body('x'), { 'x-api-key': KEY });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: unknown }).error).toEqual({ type: 'invalid_request_error', message: 'anthropic-version: header is required' });
    const missing = await postMessages(body('x'), { 'anthropic-version': '2023-06-01' });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: unknown }).error).toEqual({ type: 'authentication_error', message: 'x-api-key header is required' });
    const wrong = await postMessages(body('x'), { 'x-api-key': 'sk-ant-wrong', 'anthropic-version': '2023-06-01' });
    expect(((await wrong.json()) as { error: unknown }).error).toEqual({ type: 'authentication_error', message: 'invalid x-api-key' });
    const bearer = await postMessages(body('x'), { authorization: `Bearer ${KEY}`, 'anthropic-version': '2023-06-01' });
    expect(bearer.status).toBe(200);
  });

  it('404 not_found_error for does-not-exist', async () => {
    const res = await postMessages(body('x', { model: 'does-not-exist' }));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: unknown }).error).toEqual({ type: 'not_found_error', message: 'model: does-not-exist' });
  });
});

describe('GET /v1/models', () => {
  it('answers the Anthropic list with anthropic-version, the OpenAI list without', async () => {
    const anthropic = (await (await fetch(`${mock.url}/v1/models`, { headers: HEADERS })).json()) as Record<string, unknown>;
    expect(anthropic).toEqual({ data: ANTHROPIC_MODELS, has_more: false, first_id: ANTHROPIC_MODELS[0]?.id, last_id: ANTHROPIC_MODELS.at(-1)?.id });
    for (const model of ANTHROPIC_MODELS) expect(Object.keys(model).sort()).toEqual(['created_at', 'display_name', 'id', 'type']);
    const openai = (await (await fetch(`${mock.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { object: string; data: unknown[] };
    expect(openai).toEqual({ object: 'list', data: OPENAI_MODELS });
  });

  it('pages with limit and after_id, and gets one model or 404', async () => {
    const first = (await (await fetch(`${mock.url}/v1/models?limit=2`, { headers: HEADERS })).json()) as { data: { id: string }[]; has_more: boolean; last_id: string };
    expect(first.data.map((m) => m.id)).toEqual(ANTHROPIC_MODELS.slice(0, 2).map((m) => m.id));
    expect(first.has_more).toBe(true);
    const next = (await (await fetch(`${mock.url}/v1/models?limit=2&after_id=${first.last_id}`, { headers: HEADERS })).json()) as { data: { id: string }[] };
    expect(next.data.map((m) => m.id)).toEqual(ANTHROPIC_MODELS.slice(2, 4).map((m) => m.id));
    const id = ANTHROPIC_MODELS[1]?.id ?? '';
    expect(await (await fetch(`${mock.url}/v1/models/${id}`, { headers: HEADERS })).json()).toEqual(ANTHROPIC_MODELS[1]);
    const missing = await fetch(`${mock.url}/v1/models/claude-nope`, { headers: HEADERS });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });
});

describe('recording', () => {
  it('records Anthropic requests like any other', async () => {
    await fetch(`${mock.url}/__mock/requests`, { method: 'DELETE' });
    await postMessages(body('recorded'));
    const list = (await (await fetch(`${mock.url}/__mock/requests`)).json()) as RecordedRequest[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ method: 'POST', path: '/v1/messages', body: body('recorded') });
    expect(list[0]?.headers['anthropic-version']).toBe('2023-06-01');
  });
});
