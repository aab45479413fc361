import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest } from '../canonical/types.ts';
import { parseResponsesRequest } from './parse-request.ts';

function failure(body: unknown): { param: string | null; message: string } {
  try {
    parseResponsesRequest(body);
  } catch (error) {
    if (error instanceof FormatError) return { param: error.param, message: error.message };
    throw error;
  }
  throw new Error('expected a FormatError');
}

const base = { model: 'gpt-4o', input: 'Hi' };

describe('parseResponsesRequest', () => {
  it('parses a string input as one user message', () => {
    expect(parseResponsesRequest(base)).toStrictEqual({
      model: 'gpt-4o',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
    } satisfies CanonicalRequest);
  });

  it('maps every canonical field', () => {
    const request = parseResponsesRequest({
      model: 'gpt-4o',
      instructions: 'Be brief.',
      input: 'Hi',
      stream: true,
      max_output_tokens: 100,
      temperature: 0.7,
      top_p: 0.9,
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' } },
      reasoning: { effort: 'low' },
      user: 'u-1',
    });
    expect(request).toStrictEqual({
      model: 'gpt-4o',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
      streamUsage: true,
      maxTokens: 100,
      temperature: 0.7,
      topP: 0.9,
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: true }],
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true, description: 'd' },
      reasoning: { effort: 'low' },
      user: 'u-1',
    } satisfies CanonicalRequest);
  });

  it('treats null like an omitted field', () => {
    const body = { ...base, instructions: null, temperature: null, tools: null, text: null, reasoning: null, previous_response_id: null, store: null, background: null, metadata: null };
    expect(parseResponsesRequest(body)).toStrictEqual(parseResponsesRequest(base));
  });

  it('turns a tool-using conversation into canonical turns, merging consecutive assistant items', () => {
    const request = parseResponsesRequest({
      model: 'gpt-4o',
      instructions: 'Top',
      input: [
        { role: 'developer', content: 'Dev rules' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'original' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan' }], encrypted_content: 'sig-1' },
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Calling.', annotations: [] }, { type: 'refusal', refusal: 'no' }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
        { type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_a', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'noon' }, { type: 'input_image', image_url: 'https://x.test/c.png' }] },
        { role: 'system', content: [{ type: 'input_text', text: 'Later rule' }] },
        { role: 'assistant', content: 'Done.' },
      ],
    });
    expect(request.system).toStrictEqual([
      { type: 'text', text: 'Top' },
      { type: 'text', text: 'Dev rules' },
    ]);
    expect(request.messages).toStrictEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'high' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Plan', signature: 'sig-1' },
          { type: 'text', text: 'Calling.' },
          { type: 'tool_call', id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_b', name: 'get_time', arguments: '{}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_a', content: [{ type: 'text', text: 'sunny' }] }] },
      {
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId: 'call_b',
            content: [
              { type: 'text', text: 'noon' },
              { type: 'image', source: { kind: 'url', url: 'https://x.test/c.png' } },
            ],
          },
        ],
      },
      { role: 'system', content: [{ type: 'text', text: 'Later rule' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Done.' }] },
    ]);
  });

  it('reads reasoning items: summary first, raw content as fallback, empty items skipped', () => {
    const request = parseResponsesRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_1', summary: [], content: [{ type: 'reasoning_text', text: 'raw' }] },
        { type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'a' }, { type: 'summary_text', text: 'b' }] },
        { type: 'reasoning', id: 'rs_3', summary: [], encrypted_content: null },
        { role: 'assistant', content: 'x' },
      ],
    });
    expect(request.messages[1]).toStrictEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'raw' },
        { type: 'thinking', text: 'a\n\nb' },
        { type: 'text', text: 'x' },
      ],
    });
  });

  it('keeps Responses-only settings in extensions.openaiResponses', () => {
    const request = parseResponsesRequest({
      ...base,
      store: false,
      include: ['reasoning.encrypted_content'],
      metadata: { team: 'a' },
      prompt_cache_key: 'thread-1',
      service_tier: 'auto',
      truncation: 'disabled',
      text: { verbosity: 'low' },
      reasoning: { effort: 'xhigh', summary: 'auto' },
      client_metadata: { origin: 'codex' },
    });
    expect(request.reasoning).toBeUndefined();
    expect(request.extensions).toStrictEqual({
      openaiResponses: {
        store: false,
        include: ['reasoning.encrypted_content'],
        metadata: { team: 'a' },
        prompt_cache_key: 'thread-1',
        service_tier: 'auto',
        truncation: 'disabled',
        verbosity: 'low',
        reasoning: { effort: 'xhigh', summary: 'auto' },
        client_metadata: { origin: 'codex' },
      },
    });
  });

  it('drops tool_choice and parallel_tool_calls that mean nothing without tools (Chat refuses them), keeping a demand for a call', () => {
    const request = parseResponsesRequest({ ...base, tools: [], tool_choice: 'auto', parallel_tool_calls: true });
    expect(request.tools).toBeUndefined();
    expect(request.toolChoice).toBeUndefined();
    expect(request.parallelToolCalls).toBeUndefined();
    expect(parseResponsesRequest({ ...base, tool_choice: 'required' }).toolChoice).toStrictEqual({ type: 'required' });
    expect(parseResponsesRequest({ ...base, tool_choice: { type: 'function', name: 'f' } }).toolChoice).toStrictEqual({ type: 'tool', name: 'f' });
  });

  it('accepts store: true (nothing is stored either way) and background: false', () => {
    expect(parseResponsesRequest({ ...base, store: true, background: false }).extensions).toStrictEqual({ openaiResponses: { store: true } });
  });

  it('refuses state kept at OpenAI, saying the gateway is stateless', () => {
    for (const [field, value] of [
      ['previous_response_id', 'resp_1'],
      ['conversation', 'conv_1'],
      ['prompt', { id: 'pmpt_1' }],
      ['context_management', [{ type: 'compaction' }]],
      ['background', true],
    ] as const) {
      const { param, message } = failure({ ...base, [field]: value });
      expect(param).toBe(field);
      expect(message).toMatch(/no server-side state/);
    }
    expect(failure({ model: 'm', input: [{ type: 'item_reference', id: 'msg_1' }] })).toMatchObject({ param: 'input[0].type', message: expect.stringMatching(/no server-side response state/) as unknown });
  });

  it('refuses every built-in tool by name', () => {
    for (const type of ['web_search', 'web_search_preview', 'file_search', 'computer_use_preview', 'code_interpreter', 'image_generation', 'mcp', 'local_shell', 'shell', 'apply_patch']) {
      const { param, message } = failure({ ...base, tools: [{ type: 'function', name: 'ok', parameters: {} }, { type }] });
      expect(param).toBe('tools[1].type');
      expect(message).toContain(`"${type}"`);
      expect(message).toMatch(/built-in tool/);
    }
    expect(failure({ ...base, tools: [{ type: 'custom', name: 'x' }] })).toStrictEqual({ param: 'tools[0].type', message: 'Tool type "custom" is not supported; only function tools are' });
  });

  it('refuses what has no canonical form, naming the param', () => {
    const cases: [unknown, string | null][] = [
      [[], null],
      [{ input: 'x' }, 'model'],
      [{ model: 'm' }, 'input'],
      [{ model: 'm', input: [] }, 'input'],
      [{ ...base, frequency_penalty: 1 }, 'frequency_penalty'],
      [{ model: 'm', input: [{ type: 'computer_call', call_id: 'c' }] }, 'input[0].type'],
      [{ model: 'm', input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
      [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] }, 'input[0].content[0].type'],
      [{ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }, 'input[0].content[0].file_id'],
      [{ model: 'm', input: [{ role: 'user', content: [{ type: 'output_text', text: 'x' }] }] }, 'input[0].content[0].type'],
      [{ model: 'm', input: [{ role: 'assistant', content: [{ type: 'input_text', text: 'x' }] }] }, 'input[0].content[0].type'],
      [{ model: 'm', input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://x' }] }] }, 'input[0].content[0].type'],
      [{ model: 'm', input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
      [{ model: 'm', input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }, 'input[0].arguments'],
      [{ ...base, tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type'],
      [{ ...base, tool_choice: 'sometimes' }, 'tool_choice'],
      [{ ...base, text: { format: { type: 'grammar' } } }, 'text.format.type'],
      [{ ...base, text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
      [{ ...base, text: { style: 'x' } }, 'text'],
      [{ ...base, reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
      [{ ...base, reasoning: { budget: 1 } }, 'reasoning'],
      [{ ...base, include: ['everything'] }, 'include[0]'],
      [{ ...base, metadata: { k: 1 } }, 'metadata'],
      [{ ...base, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
      [{ ...base, truncation: 'middle' }, 'truncation'],
      [{ ...base, max_output_tokens: 0 }, 'max_output_tokens'],
      [{ ...base, temperature: 3 }, 'temperature'],
      [{ ...base, tools: [{ type: 'function', name: 'bad name' }] }, 'tools[0].name'],
    ];
    for (const [body, param] of cases) expect(failure(body).param, JSON.stringify(body)).toBe(param);
  });

  it('never echoes an unknown field name that is not identifier-like', () => {
    expect(failure({ ...base, '<script>': 1 }).message).toBe('Unrecognized request argument supplied: an unrecognised value');
  });

  it('throws only FormatError on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        try {
          parseResponsesRequest(body);
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
        }
      }),
    );
  });

  it('throws only FormatError on arbitrary input items and tools', () => {
    const item = fc.oneof(
      fc.jsonValue(),
      fc.record({ type: fc.constantFrom('message', 'function_call', 'function_call_output', 'reasoning'), role: fc.jsonValue(), content: fc.jsonValue() }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constant('reasoning'), summary: fc.jsonValue(), encrypted_content: fc.jsonValue(), content: fc.jsonValue() }),
      fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'developer'), content: fc.array(fc.record({ type: fc.constantFrom('input_text', 'input_image', 'output_text', 'refusal'), text: fc.jsonValue(), image_url: fc.jsonValue(), detail: fc.jsonValue() })) }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), fc.jsonValue(), fc.jsonValue(), fc.jsonValue(), (input, tools, text, reasoning) => {
        try {
          parseResponsesRequest({ model: 'm', input, tools, text, reasoning });
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
        }
      }),
    );
  });
});
