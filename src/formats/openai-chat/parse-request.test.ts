import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest } from '../canonical/types.ts';
import { parseChatRequest } from './parse-request.ts';

const user = { role: 'user', content: 'Hi' };

function paramOf(body: unknown): string | null {
  try {
    parseChatRequest(body);
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('parseChatRequest', () => {
  it('parses a minimal request', () => {
    expect(parseChatRequest({ model: 'gpt-4o', messages: [user] })).toStrictEqual({
      model: 'gpt-4o',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
    } satisfies CanonicalRequest);
  });

  it('maps every canonical field', () => {
    const request = parseChatRequest({
      model: 'gpt-4o',
      messages: [user],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 100,
      temperature: 0.7,
      top_p: 0.9,
      stop: 'END',
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true, description: 'd' } },
      reasoning_effort: 'low',
      user: 'u-1',
    });
    expect(request).toStrictEqual({
      model: 'gpt-4o',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
      streamUsage: true,
      maxTokens: 100,
      temperature: 0.7,
      topP: 0.9,
      stop: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
      reasoning: { effort: 'low' },
      user: 'u-1',
    } satisfies CanonicalRequest);
  });

  it('treats null like an omitted field', () => {
    const request = parseChatRequest({ model: 'm', messages: [user], temperature: null, stream: null, tools: null, seed: null, stop: null });
    expect(request).toStrictEqual({ model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false });
  });

  it('puts leading system and developer messages in system, in order, and keeps later ones in place', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [
        { role: 'system', content: 'A' },
        { role: 'developer', content: [{ type: 'text', text: 'B' }, { type: 'text', text: 'C' }] },
        user,
        { role: 'system', content: 'Later', name: 'ops' },
      ],
    });
    expect(request.system).toStrictEqual([
      { type: 'text', text: 'A' },
      { type: 'text', text: 'B' },
      { type: 'text', text: 'C' },
    ]);
    expect(request.messages).toStrictEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'Later' }], name: 'ops' },
    ]);
  });

  it('parses user images as URL or base64 (data URL)', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            { type: 'image_url', image_url: { url: 'data:image/png,rawnotbase64' } },
            { type: 'image_url', image_url: { url: 'data:,x;base64,y', detail: 'original' } },
          ],
        },
      ],
    });
    expect(request.messages[0]).toStrictEqual({
      role: 'user',
      name: 'alice',
      content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'low' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
        { type: 'image', source: { kind: 'url', url: 'data:image/png,rawnotbase64' } },
        { type: 'image', source: { kind: 'url', url: 'data:,x;base64,y' }, detail: 'high' },
      ],
    });
  });

  it('parses assistant tool calls and tool results; drops refusals and empty content', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [
        user,
        {
          role: 'assistant',
          content: '',
          refusal: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'refusal', refusal: 'no' }, { type: 'text', text: 'sunny' }] },
        { role: 'assistant', content: null },
      ],
    });
    expect(request.messages.slice(1)).toStrictEqual([
      { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"a":1}' }] },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'sunny' }] }] },
      { role: 'assistant', content: [{ type: 'text', text: 'It is ' }, { type: 'text', text: 'sunny' }] },
      { role: 'assistant', content: [] },
    ]);
  });

  it('keeps valid OpenAI-only fields unchanged in extensions.openaiChat', () => {
    const body = {
      model: 'm',
      messages: [user],
      seed: 42,
      n: 1,
      logprobs: true,
      top_logprobs: 3,
      presence_penalty: -1,
      frequency_penalty: 0.5,
      logit_bias: { '50256': -100 },
      metadata: { k: 'v' },
      store: false,
      service_tier: 'flex',
      prediction: { type: 'content', content: 'x' },
      modalities: ['text'],
      audio: { voice: 'alloy', format: 'mp3' },
      web_search_options: { search_context_size: 'low' },
      prompt_cache_key: 'pk',
      safety_identifier: 'sid',
      verbosity: 'low',
    };
    const { model: _m, messages: _ms, ...rest } = body;
    expect(parseChatRequest(body).extensions).toStrictEqual({ openaiChat: rest });
  });

  it('records max_completion_tokens, stream_options extras and non-canonical reasoning efforts in extensions', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [user],
      stream: true,
      stream_options: { include_usage: false, include_obfuscation: false },
      max_completion_tokens: 64,
      reasoning_effort: 'xhigh',
    });
    expect(request.maxTokens).toBe(64);
    expect(request.streamUsage).toBe(false);
    expect(request.reasoning).toBeUndefined();
    expect(request.extensions).toStrictEqual({
      openaiChat: { stream_options: { include_obfuscation: false }, max_completion_tokens: 64, reasoning_effort: 'xhigh' },
    });
  });

  it('accepts max_tokens and max_completion_tokens together only when they agree', () => {
    expect(parseChatRequest({ model: 'm', messages: [user], max_tokens: 5, max_completion_tokens: 5 }).maxTokens).toBe(5);
    expect(paramOf({ model: 'm', messages: [user], max_tokens: 5, max_completion_tokens: 6 })).toBe('max_tokens');
  });

  it('defaults omitted tool parameters to an empty object schema and omitted json_schema.schema to {}', () => {
    const request = parseChatRequest({
      model: 'm',
      messages: [user],
      tools: [{ type: 'function', function: { name: 'now' } }],
      response_format: { type: 'json_schema', json_schema: { name: 'x' } },
    });
    expect(request.tools).toStrictEqual([{ name: 'now', parameters: { type: 'object', properties: {} } }]);
    expect(request.responseFormat).toStrictEqual({ type: 'json_schema', name: 'x', schema: {} });
  });

  it('refuses unknown fields like OpenAI, unless passUnknownFields is set', () => {
    expect(paramOf({ model: 'm', messages: [user], top_k: 5 })).toBe('top_k');
    const request = parseChatRequest({ model: 'm', messages: [user], top_k: 5 }, { passUnknownFields: true });
    expect(request.extensions).toStrictEqual({ openaiChat: { top_k: 5 } });
  });

  it('never lets a __proto__ key reach an extensions object prototype', () => {
    const body: unknown = JSON.parse('{"model":"m","messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":1}}');
    expect(paramOf(body)).toBe('__proto__');
    expect(() => parseChatRequest(body, { passUnknownFields: true })).toThrow(FormatError);
    const streamOptions: unknown = JSON.parse('{"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"__proto__":{"polluted":1}}}');
    expect(parseChatRequest(streamOptions).extensions).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  describe('FormatError params', () => {
    const cases: [string, unknown, string | null][] = [
      ['body not an object', [1, 2], null],
      ['missing model', { messages: [user] }, 'model'],
      ['empty model', { model: '', messages: [user] }, 'model'],
      ['messages not an array', { model: 'm', messages: 'hi' }, 'messages'],
      ['empty messages', { model: 'm', messages: [] }, 'messages'],
      ['message not an object', { model: 'm', messages: [user, 3] }, 'messages[1]'],
      ['unknown role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
      ['legacy function role', { model: 'm', messages: [user, { role: 'function', name: 'f', content: 'x' }] }, 'messages[1].role'],
      ['user content number', { model: 'm', messages: [user, user, { role: 'user', content: 5 }] }, 'messages[2].content'],
      ['unsupported user part', { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }, 'messages[0].content[0].type'],
      ['image without url', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[0].content[0].image_url.url'],
      ['bad image detail', { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'u', detail: 'max' } }] }] }, 'messages[0].content[0].image_url.detail'],
      ['image part in system', { model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'u' } }] }] }, 'messages[0].content[0].type'],
      ['tool without id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
      ['tool call arguments object', { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
      ['custom tool call', { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'custom', custom: {} }] }] }, 'messages[0].tool_calls[0].type'],
      ['assistant function_call', { model: 'm', messages: [{ role: 'assistant', function_call: { name: 'f', arguments: '' } }] }, 'messages[0].function_call'],
      ['bad name', { model: 'm', messages: [{ role: 'user', content: 'x', name: 3 }] }, 'messages[0].name'],
      ['stream not boolean', { model: 'm', messages: [user], stream: 'yes' }, 'stream'],
      ['include_usage not boolean', { model: 'm', messages: [user], stream_options: { include_usage: 1 } }, 'stream_options.include_usage'],
      ['max_tokens zero', { model: 'm', messages: [user], max_tokens: 0 }, 'max_tokens'],
      ['max_tokens fraction', { model: 'm', messages: [user], max_tokens: 1.5 }, 'max_tokens'],
      ['max_completion_tokens string', { model: 'm', messages: [user], max_completion_tokens: '9' }, 'max_completion_tokens'],
      ['temperature too high', { model: 'm', messages: [user], temperature: 2.5 }, 'temperature'],
      ['top_p negative', { model: 'm', messages: [user], top_p: -0.1 }, 'top_p'],
      ['too many stops', { model: 'm', messages: [user], stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      ['stop not string', { model: 'm', messages: [user], stop: ['a', 1] }, 'stop[1]'],
      ['tool type custom', { model: 'm', messages: [user], tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type'],
      ['tool bad name', { model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools[0].function.name'],
      ['tool parameters array', { model: 'm', messages: [user], tools: [{ type: 'function', function: { name: 'f', parameters: [] } }] }, 'tools[0].function.parameters'],
      ['tool_choice string', { model: 'm', messages: [user], tool_choice: 'any' }, 'tool_choice'],
      ['tool_choice allowed_tools', { model: 'm', messages: [user], tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice.type'],
      ['parallel_tool_calls string', { model: 'm', messages: [user], parallel_tool_calls: 'no' }, 'parallel_tool_calls'],
      ['response_format type', { model: 'm', messages: [user], response_format: { type: 'xml' } }, 'response_format.type'],
      ['json_schema without name', { model: 'm', messages: [user], response_format: { type: 'json_schema', json_schema: {} } }, 'response_format.json_schema.name'],
      ['reasoning_effort', { model: 'm', messages: [user], reasoning_effort: 'extreme' }, 'reasoning_effort'],
      ['user number', { model: 'm', messages: [user], user: 1 }, 'user'],
      ['n above 1', { model: 'm', messages: [user], n: 2 }, 'n'],
      ['seed string', { model: 'm', messages: [user], seed: '1' }, 'seed'],
      ['top_logprobs range', { model: 'm', messages: [user], top_logprobs: 21 }, 'top_logprobs'],
      ['penalty range', { model: 'm', messages: [user], presence_penalty: 3 }, 'presence_penalty'],
      ['metadata not object', { model: 'm', messages: [user], metadata: 'x' }, 'metadata'],
      ['legacy functions', { model: 'm', messages: [user], functions: [] }, 'functions'],
      ['legacy function_call', { model: 'm', messages: [user], function_call: 'auto' }, 'function_call'],
    ];
    for (const [name, body, param] of cases) {
      it(name, () => {
        expect(paramOf(body)).toBe(param);
      });
    }
  });

  it('throws nothing but FormatError on arbitrary JSON and arbitrary values', () => {
    const roles = fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function', 'x');
    const partTypes = fc.constantFrom('text', 'image_url', 'refusal', 'input_audio', 'file');
    // Near-valid shapes reach deep branches that random JSON alone would rarely hit.
    const message = fc.record(
      {
        role: roles,
        content: fc.oneof(fc.string(), fc.constant(null), fc.array(fc.record({ type: partTypes, text: fc.jsonValue(), image_url: fc.jsonValue(), refusal: fc.jsonValue() }, { requiredKeys: [] }))),
        tool_calls: fc.oneof(fc.jsonValue(), fc.array(fc.record({ id: fc.jsonValue(), type: fc.constantFrom('function', 'custom'), function: fc.jsonValue() }, { requiredKeys: [] }))),
        tool_call_id: fc.jsonValue(),
        name: fc.jsonValue(),
      },
      { requiredKeys: ['role'] },
    );
    const body = fc.oneof(
      fc.jsonValue(),
      fc.anything(),
      fc.record(
        {
          model: fc.oneof(fc.string(), fc.jsonValue()),
          messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
          stream: fc.jsonValue(),
          stream_options: fc.jsonValue(),
          max_tokens: fc.jsonValue(),
          tools: fc.oneof(fc.jsonValue(), fc.array(fc.record({ type: fc.constant('function'), function: fc.jsonValue() }))),
          tool_choice: fc.jsonValue(),
          response_format: fc.jsonValue(),
          stop: fc.jsonValue(),
          seed: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(body, fc.boolean(), (value, passUnknownFields) => {
        try {
          parseChatRequest(value, { passUnknownFields });
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
