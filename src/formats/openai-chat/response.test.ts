import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalResponse } from '../canonical/types.ts';
import { parseChatResponse } from './parse-response.ts';
import { renderChatResponse } from './render-response.ts';

// Shaped after the "chat completion object" examples of the OpenAI API reference.
const openaiText = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4.1-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello! How can I assist you today?', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 19,
    completion_tokens: 10,
    total_tokens: 29,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  },
  service_tier: 'default',
};

const openaiToolCall = {
  id: 'chatcmpl-abc123',
  object: 'chat.completion',
  created: 1699896916,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' } }],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 },
};

describe('parseChatResponse', () => {
  it('parses a text answer with usage details', () => {
    expect(parseChatResponse(openaiText)).toStrictEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      model: 'gpt-4.1-2025-04-14',
      created: 1741569952,
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      finishReason: 'stop',
      usage: { inputTokens: 19, outputTokens: 10, cachedInputTokens: 0, reasoningTokens: 0 },
      extensions: { openaiChat: { service_tier: 'default' } },
    } satisfies CanonicalResponse);
  });

  it('parses tool calls', () => {
    expect(parseChatResponse(openaiToolCall)).toStrictEqual({
      id: 'chatcmpl-abc123',
      model: 'gpt-4o-mini',
      created: 1699896916,
      content: [{ type: 'tool_call', id: 'call_abc123', name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 82, outputTokens: 17 },
    } satisfies CanonicalResponse);
  });

  it('reads reasoning_content (or reasoning) as thinking, before the text', () => {
    const body = { ...openaiToolCall, choices: [{ index: 0, message: { role: 'assistant', content: '42', reasoning_content: 'think' }, finish_reason: 'stop' }] };
    expect(parseChatResponse(body).content).toStrictEqual([
      { type: 'thinking', text: 'think' },
      { type: 'text', text: '42' },
    ]);
    const openrouter = { ...openaiToolCall, choices: [{ index: 0, message: { role: 'assistant', content: '42', reasoning: 'r' }, finish_reason: 'stop' }] };
    expect(parseChatResponse(openrouter).content[0]).toStrictEqual({ type: 'thinking', text: 'r' });
  });

  it('maps finish reasons, including the deprecated function_call and a missing one', () => {
    const withReason = (finish_reason: unknown, tool_calls?: unknown) =>
      parseChatResponse({ ...openaiToolCall, choices: [{ index: 0, message: { role: 'assistant', content: 'x', tool_calls }, finish_reason }] }).finishReason;
    expect(withReason('stop')).toBe('stop');
    expect(withReason('length')).toBe('length');
    expect(withReason('content_filter')).toBe('content_filter');
    expect(withReason('function_call')).toBe('tool_calls');
    expect(withReason(null)).toBe('stop');
    expect(withReason(null, [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }])).toBe('tool_calls');
    expect(withReason('eos')).toBe('stop');
  });

  it('keeps refusal, logprobs, annotations and system_fingerprint for an OpenAI client', () => {
    const logprobs = { content: [{ token: 'x', logprob: -0.1, bytes: [120], top_logprobs: [] }], refusal: null };
    const annotations = [{ type: 'url_citation', url_citation: { url: 'https://a', title: 't', start_index: 0, end_index: 1 } }];
    const body = {
      ...openaiText,
      system_fingerprint: 'fp_1',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot.', annotations }, logprobs, finish_reason: 'stop' }],
    };
    const parsed = parseChatResponse(body);
    expect(parsed.content).toStrictEqual([]);
    expect(parsed.extensions).toStrictEqual({ openaiChat: { system_fingerprint: 'fp_1', service_tier: 'default', logprobs, refusal: 'I cannot.', annotations } });
    const rendered = renderChatResponse(parsed);
    expect(rendered.choices).toStrictEqual([
      { index: 0, message: { role: 'assistant', content: null, refusal: 'I cannot.', annotations }, logprobs, finish_reason: 'stop' },
    ]);
    expect(rendered.system_fingerprint).toBe('fp_1');
  });

  describe('FormatError on malformed bodies', () => {
    const cases: [string, unknown, string | null][] = [
      ['not an object', 'nope', null],
      ['no choices', { ...openaiText, choices: undefined }, 'choices'],
      ['empty choices', { ...openaiText, choices: [] }, 'choices'],
      ['no message', { ...openaiText, choices: [{ index: 0 }] }, 'choices[0].message'],
      ['content number', { ...openaiText, choices: [{ message: { content: 1 } }] }, 'choices[0].message.content'],
      ['tool call without id', { ...openaiText, choices: [{ message: { tool_calls: [{ type: 'function', function: { name: 'f', arguments: '' } }] } }] }, 'choices[0].message.tool_calls[0].id'],
      ['missing id', { ...openaiText, id: undefined }, 'id'],
      ['created string', { ...openaiText, created: 'now' }, 'created'],
      ['usage negative', { ...openaiText, usage: { prompt_tokens: -1, completion_tokens: 0, total_tokens: 0 } }, 'usage.prompt_tokens'],
      ['reasoning_content number', { ...openaiText, choices: [{ message: { content: '', reasoning_content: 5 } }] }, 'choices[0].message.reasoning_content'],
    ];
    for (const [name, body, param] of cases) {
      it(name, () => {
        let caught: unknown;
        try {
          parseChatResponse(body);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(FormatError);
        expect((caught as FormatError).param).toBe(param);
      });
    }
  });

  it('throws nothing but FormatError on arbitrary values', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ id: fc.jsonValue(), choices: fc.array(fc.record({ message: fc.jsonValue() })), usage: fc.jsonValue() })), (body) => {
        try {
          parseChatResponse(body);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('renderChatResponse', () => {
  it('renders the exact chat.completion shape', () => {
    expect(renderChatResponse(parseChatResponse(openaiText))).toStrictEqual({
      id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
      object: 'chat.completion',
      created: 1741569952,
      model: 'gpt-4.1-2025-04-14',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello! How can I assist you today?', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: {
        prompt_tokens: 19,
        completion_tokens: 10,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
      service_tier: 'default',
    });
  });

  it('renders content null and tool_calls when the answer is only tool calls', () => {
    expect(renderChatResponse(parseChatResponse(openaiToolCall))).toStrictEqual({
      id: 'chatcmpl-abc123',
      object: 'chat.completion',
      created: 1699896916,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' } }],
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 },
    });
  });

  it('joins several text blocks, renders thinking as reasoning_content, and reports error as stop', () => {
    const rendered = renderChatResponse({
      id: 'msg_1',
      model: 'claude',
      created: 1,
      content: [
        { type: 'thinking', text: 'a', signature: 's' },
        { type: 'text', text: 'Hello, ' },
        { type: 'text', text: 'world' },
      ],
      finishReason: 'error',
    });
    expect(rendered.choices).toStrictEqual([
      { index: 0, message: { role: 'assistant', content: 'Hello, world', refusal: null, reasoning_content: 'a' }, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(rendered).not.toHaveProperty('usage');
  });

  it('round-trips: parse(render(x)) equals x', () => {
    const responses: CanonicalResponse[] = [
      {
        id: 'chatcmpl-1',
        model: 'gpt-4o',
        created: 1700000000,
        content: [
          { type: 'thinking', text: 'Considering…' },
          { type: 'text', text: 'Calling tools.' },
          { type: 'tool_call', id: 'call_1', name: 'a', arguments: '{"x":1}' },
          { type: 'tool_call', id: 'call_2', name: 'b', arguments: '' },
        ],
        finishReason: 'tool_calls',
        usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 64, reasoningTokens: 8 },
      },
      { id: 'c2', model: 'm', created: 0, content: [{ type: 'text', text: 'cut' }], finishReason: 'length' },
      { id: 'c3', model: 'm', created: 5, content: [], finishReason: 'content_filter', usage: { inputTokens: 1, outputTokens: 0 } },
    ];
    for (const response of responses) expect(parseChatResponse(renderChatResponse(response))).toStrictEqual(response);
  });
});
