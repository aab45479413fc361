import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest } from '../canonical/types.ts';
import { parseCountTokensRequest } from './count-tokens.ts';
import { parseMessagesRequest } from './parse-request.ts';

const user = { role: 'user', content: 'Hi' };
const base = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [user] };

function paramOf(body: unknown): string | null {
  try {
    parseMessagesRequest(body);
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('parseMessagesRequest', () => {
  it('parses a minimal request', () => {
    expect(parseMessagesRequest(base)).toStrictEqual({
      model: 'claude-sonnet-4-5',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
      maxTokens: 100,
    } satisfies CanonicalRequest);
  });

  it('maps every canonical field', () => {
    const request = parseMessagesRequest({
      ...base,
      system: 'Be brief.',
      stream: true,
      temperature: 0.7,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' }, strict: true }],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 2000 },
      metadata: { user_id: 'u-1' },
      max_tokens: 4000,
    });
    expect(request).toStrictEqual({
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
      maxTokens: 4000,
      temperature: 0.7,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
      reasoning: { budgetTokens: 2000, effort: 'low' },
      user: 'u-1',
    } satisfies CanonicalRequest);
  });

  it('maps tool_choice any to required and disabled thinking to a zero budget', () => {
    const request = parseMessagesRequest({ ...base, tool_choice: { type: 'any' }, thinking: { type: 'disabled' } });
    expect(request.toolChoice).toStrictEqual({ type: 'required' });
    expect(request.parallelToolCalls).toBeUndefined();
    expect(request.reasoning).toStrictEqual({ budgetTokens: 0 });
  });

  it('parses every block kind into canonical parts, one message per turn', () => {
    const request = parseMessagesRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look', citations: null },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 2] } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }], is_error: false }] },
      ],
    });
    expect(request.messages).toStrictEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
          { type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'hmm', signature: 'sig' },
          { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":[1,2]}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'ok' }], isError: false }] },
    ]);
    expect(request.extensions).toStrictEqual({ anthropic: { redactedThinking: [{ message: 1, before: 1, data: 'opaque' }] } });
  });

  it('records cache breakpoints by canonical position and passes known Anthropic-only fields', () => {
    const request = parseMessagesRequest({
      ...base,
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b', cache_control: { type: 'ephemeral' } }] }],
      tools: [{ name: 't', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }],
      service_tier: 'standard_only',
      cache_control: { type: 'ephemeral' },
      output_config: { effort: 'max' },
    });
    expect(request.extensions).toStrictEqual({
      anthropic: {
        fields: { cache_control: { type: 'ephemeral' }, service_tier: 'standard_only', output_config: { effort: 'max' } },
        cacheControl: { 'system.0': { type: 'ephemeral', ttl: '1h' }, 'messages.0.1': { type: 'ephemeral' }, 'tools.0': { type: 'ephemeral' } },
      },
    });
    expect(request.reasoning).toBeUndefined();
  });

  it('reads output_config: a JSON schema format and a canonical effort', () => {
    const request = parseMessagesRequest({ ...base, output_config: { format: { type: 'json_schema', schema: { type: 'object' } }, effort: 'medium' } });
    expect(request.responseFormat).toStrictEqual({ type: 'json_schema', name: 'response', schema: { type: 'object' }, strict: true });
    expect(request.reasoning).toStrictEqual({ effort: 'medium' });
  });

  it('keeps a system turn in place', () => {
    const request = parseMessagesRequest({ ...base, messages: [user, { role: 'system', content: 'Now in French.' }, user] });
    expect(request.messages[1]).toStrictEqual({ role: 'system', content: [{ type: 'text', text: 'Now in French.' }] });
  });

  it.each([
    [{ ...base, max_tokens: undefined }, 'max_tokens'],
    [{ ...base, max_tokens: 0 }, 'max_tokens'],
    [{ ...base, model: '' }, 'model'],
    [{ ...base, messages: [] }, 'messages'],
    [{ ...base, temperature: 1.5 }, 'temperature'],
    [{ ...base, top_k: 1.5 }, 'top_k'],
    [{ ...base, stop_sequences: [1] }, 'stop_sequences.0'],
    [{ ...base, frequency_penalty: 1 }, 'frequency_penalty'],
    [{ ...base, container: 'c' }, 'container'],
    [{ ...base, mcp_servers: [] }, 'mcp_servers'],
    [{ ...base, metadata: { user_id: 'u', plan: 'x' } }, 'metadata.plan'],
    [{ ...base, messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages.0.content.0.type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'web_search_tool_result', content: [] }] }] }, 'messages.0.content.0.type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'thinking', thinking: 'x', signature: 's' }] }] }, 'messages.0.content.0.type'],
    [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: 'u' } }] }] }, 'messages.0.content.0.type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages.0.content.0.source.type'],
    [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: '{}' }] }] }, 'messages.0.content.0.input'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'document' }] }] }] }, 'messages.0.content.0.content.0.type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'persistent' } }] }] }, 'messages.0.content.0.cache_control.type'],
    [{ ...base, system: [{ type: 'image' }] }, 'system.0.type'],
    [{ ...base, tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'tools.0.type'],
    [{ ...base, tools: [{ type: 'computer_20250124', name: 'computer' }] }, 'tools.0.type'],
    [{ ...base, tools: [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }] }, 'tools.0.type'],
    [{ ...base, tools: [{ name: 'bad name', input_schema: { type: 'object' } }] }, 'tools.0.name'],
    [{ ...base, tools: [{ name: 'f', input_schema: { type: 'array' } }] }, 'tools.0.input_schema.type'],
    [{ ...base, tool_choice: { type: 'required' } }, 'tool_choice.type'],
    [{ ...base, tool_choice: { type: 'tool' } }, 'tool_choice.name'],
    [{ ...base, thinking: { type: 'enabled', budget_tokens: 512 } }, 'thinking.budget_tokens'],
    [{ ...base, thinking: { type: 'enabled', budget_tokens: 2048 } }, 'thinking.budget_tokens'],
    [{ ...base, thinking: { type: 'on' } }, 'thinking.type'],
    [{ ...base, output_config: { format: { type: 'json_object' } } }, 'output_config.format.type'],
    [{ ...base, output_config: { verbosity: 'low' } }, 'output_config.verbosity'],
  ])('refuses %j at %s', (body, param) => {
    expect(paramOf(body)).toBe(param);
  });

  it('names the refused server tool and the reason for refused fields', () => {
    expect(() => parseMessagesRequest({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] })).toThrow(/"web_search_20250305".*server tool/);
    expect(() => parseMessagesRequest({ ...base, mcp_servers: [] })).toThrow(/MCP connector/);
  });

  it('never echoes an unusual field name into the error', () => {
    const key = 'x'.repeat(100) + '<script>';
    let thrown: unknown;
    try {
      parseMessagesRequest({ ...base, [key]: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FormatError);
    expect((thrown as FormatError).message).not.toContain('<script>');
    expect((thrown as FormatError).param).toBeNull();
  });

  it('throws only FormatError on arbitrary JSON', () => {
    const blockTypes = fc.constantFrom('text', 'image', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'document', 'x');
    const block = fc.record(
      { type: blockTypes, text: fc.jsonValue(), source: fc.jsonValue(), input: fc.jsonValue(), content: fc.jsonValue(), id: fc.jsonValue(), name: fc.jsonValue(), cache_control: fc.jsonValue() },
      { requiredKeys: ['type'] },
    );
    const message = fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'x'), content: fc.oneof(fc.string(), fc.array(block), fc.jsonValue()) }, { requiredKeys: [] });
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          model: fc.oneof(fc.string(), fc.jsonValue()),
          max_tokens: fc.oneof(fc.integer(), fc.jsonValue()),
          messages: fc.oneof(fc.array(message), fc.jsonValue()),
          system: fc.jsonValue(),
          tools: fc.jsonValue(),
          tool_choice: fc.jsonValue(),
          thinking: fc.jsonValue(),
          metadata: fc.jsonValue(),
          output_config: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          parseMessagesRequest(value);
          parseCountTokensRequest(value);
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseCountTokensRequest', () => {
  it('does not need max_tokens and refuses generation controls, as count_tokens does', () => {
    expect(parseCountTokensRequest({ model: 'm', messages: [user] }).maxTokens).toBeUndefined();
    expect(() => parseCountTokensRequest({ model: 'm', messages: [user], max_tokens: 10 })).toThrow(FormatError);
    expect(parseCountTokensRequest({ model: 'm', messages: [user], thinking: { type: 'enabled', budget_tokens: 5000 } }).reasoning?.budgetTokens).toBe(5000);
  });
});
