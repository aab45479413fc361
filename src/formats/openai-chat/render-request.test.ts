import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../canonical/types.ts';
import { parseChatRequest } from './parse-request.ts';
import { renderChatRequest } from './render-request.ts';

const conversation: CanonicalRequest = {
  model: 'gpt-4o',
  system: [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Answer in French.' },
  ],
  messages: [
    {
      role: 'user',
      name: 'alice',
      content: [
        { type: 'text', text: 'Compare these.' },
        { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: 'call_1', name: 'lookup', arguments: '{"q":"a"}' },
        { type: 'tool_call', id: 'call_2', name: 'lookup', arguments: '{"q":"b"}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'A is red' }] }] },
    {
      role: 'tool',
      content: [{ type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'B is' }, { type: 'text', text: ' blue' }] }],
    },
    { role: 'assistant', content: [{ type: 'tool_call', id: 'call_3', name: 'done', arguments: '{}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_3', content: [{ type: 'text', text: 'ok' }] }] },
    { role: 'system', name: 'ops', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'So?' }] },
  ],
  stream: false,
  maxTokens: 256,
  temperature: 0.2,
  topP: 1,
  stop: ['END', 'STOP'],
  tools: [
    { name: 'lookup', description: 'Look up a fact', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: true },
    { name: 'done', parameters: { type: 'object', properties: {} } },
  ],
  toolChoice: { type: 'tool', name: 'lookup' },
  parallelToolCalls: true,
  responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'The answer' },
  reasoning: { effort: 'medium' },
  user: 'user-7',
  extensions: { openaiChat: { seed: 7, logit_bias: { '42': 5 }, metadata: { team: 'a' } } },
};

describe('renderChatRequest', () => {
  it('renders the exact OpenAI body', () => {
    expect(renderChatRequest(conversation)).toStrictEqual({
      model: 'gpt-4o',
      messages: [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'You are terse.' },
            { type: 'text', text: 'Answer in French.' },
          ],
        },
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me check.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
            { id: 'call_2', type: 'function', function: { name: 'lookup', arguments: '{"q":"b"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'A is red' },
        {
          role: 'tool',
          tool_call_id: 'call_2',
          content: [
            { type: 'text', text: 'B is' },
            { type: 'text', text: ' blue' },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'done', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_3', content: 'ok' },
        { role: 'system', name: 'ops', content: 'Be brief.' },
        { role: 'user', content: 'So?' },
      ],
      seed: 7,
      logit_bias: { '42': 5 },
      metadata: { team: 'a' },
      max_tokens: 256,
      temperature: 0.2,
      top_p: 1,
      stop: ['END', 'STOP'],
      tools: [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Look up a fact',
            parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
            strict: true,
          },
        },
        { type: 'function', function: { name: 'done', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      parallel_tool_calls: true,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', description: 'The answer', schema: { type: 'object' }, strict: true },
      },
      reasoning_effort: 'medium',
      user: 'user-7',
    });
  });

  it('round-trips: parse(render(x)) equals x', () => {
    expect(parseChatRequest(renderChatRequest(conversation))).toStrictEqual(conversation);
    const simple: CanonicalRequest = {
      model: 'm',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      stream: false,
      toolChoice: { type: 'none' },
      responseFormat: { type: 'json_object' },
    };
    expect(parseChatRequest(renderChatRequest(simple))).toStrictEqual(simple);
  });

  it('always asks an upstream stream for usage, keeping the client’s wish in streamUsage', () => {
    const request: CanonicalRequest = { ...conversation, stream: true, streamUsage: false, extensions: { openaiChat: { stream_options: { include_obfuscation: false } } } };
    const body = renderChatRequest(request);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toStrictEqual({ include_obfuscation: false, include_usage: true });
    expect(renderChatRequest({ ...conversation, stream: true }).stream_options).toStrictEqual({ include_usage: true });
    expect(renderChatRequest(conversation)).not.toHaveProperty('stream_options');
    expect(renderChatRequest(conversation)).not.toHaveProperty('stream');
  });

  it('uses max_completion_tokens only when the client did, with the canonical value', () => {
    const parsed = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_completion_tokens: 500 });
    // The gateway may lower maxTokens (a configured cap); the rendered value must follow it.
    const body = renderChatRequest({ ...parsed, maxTokens: 100 });
    expect(body.max_completion_tokens).toBe(100);
    expect(body).not.toHaveProperty('max_tokens');
    const uncapped = renderChatRequest({ ...parsed, maxTokens: undefined });
    expect(uncapped).not.toHaveProperty('max_completion_tokens');
    expect(uncapped).not.toHaveProperty('max_tokens');
  });

  it('lets canonical fields win over extensions', () => {
    const body = renderChatRequest({ ...conversation, extensions: { openaiChat: { reasoning_effort: 'xhigh', model: 'other', temperature: 1.5 } } });
    expect(body.model).toBe('gpt-4o');
    expect(body.temperature).toBe(0.2);
    expect(body.reasoning_effort).toBe('medium');
    const passthrough = renderChatRequest({ ...conversation, reasoning: undefined, extensions: { openaiChat: { reasoning_effort: 'xhigh' } } });
    expect(passthrough.reasoning_effort).toBe('xhigh');
  });

  it('renders canonical shapes from other formats in an order OpenAI accepts', () => {
    const body = renderChatRequest({
      model: 'm',
      system: [],
      stream: false,
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'hmm', signature: 'sig' },
            { type: 'tool_call', id: 't1', name: 'shot', arguments: '{}' },
          ],
        },
        {
          // Anthropic style: tool results inside the user turn, followed by more user text.
          role: 'user',
          content: [
            {
              type: 'tool_result',
              toolCallId: 't1',
              isError: true,
              content: [
                { type: 'text', text: 'screenshot' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA==' } },
              ],
            },
            { type: 'text', text: 'What do you see?' },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 't2', content: [] }] },
      ],
    });
    expect(body.messages).toStrictEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'shot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'screenshot' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AA==' } }] },
      { role: 'user', content: 'What do you see?' },
      { role: 'tool', tool_call_id: 't2', content: '' },
    ]);
  });

  it('renders an assistant turn with no text and no tool calls with empty content', () => {
    const body = renderChatRequest({ model: 'm', system: [], stream: false, messages: [{ role: 'assistant', content: [] }] });
    expect(body.messages).toStrictEqual([{ role: 'assistant', content: '' }]);
  });
});
