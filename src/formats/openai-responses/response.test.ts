import { describe, expect, it } from 'vitest';
import type { CanonicalResponse } from '../canonical/types.ts';
import { parseResponsesRequest } from './parse-request.ts';
import { renderResponsesResponse } from './render-response.ts';
import { itemId, responseId, responseStatus } from './response-object.ts';

const defaults = {
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  metadata: {},
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  temperature: null,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: null,
  truncation: 'disabled',
};

const answer = (over: Partial<CanonicalResponse>): CanonicalResponse => ({
  id: 'chatcmpl-1',
  model: 'gpt-4o',
  created: 1700000000,
  content: [{ type: 'text', text: 'Hi' }],
  finishReason: 'stop',
  ...over,
});

describe('ids and status', () => {
  it('derives resp_ ids and deterministic item ids', () => {
    expect(responseId('chatcmpl-1')).toBe('resp_chatcmpl-1');
    expect(responseId('resp_abc')).toBe('resp_abc');
    expect(itemId('msg', 'resp_abc', 2)).toBe('msg_abc_2');
    expect(itemId('fc', 'resp_abc', 0)).toBe('fc_abc_0');
  });

  it('maps every finish reason', () => {
    expect(responseStatus('stop').status).toBe('completed');
    expect(responseStatus('tool_calls').status).toBe('completed');
    expect(responseStatus('length')).toStrictEqual({ status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' }, error: null });
    expect(responseStatus('content_filter')).toStrictEqual({ status: 'incomplete', incompleteDetails: { reason: 'content_filter' }, error: null });
    expect(responseStatus('error')).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
  });
});

describe('renderResponsesResponse', () => {
  it('renders a text answer as the full response object', () => {
    expect(renderResponsesResponse(answer({ usage: { inputTokens: 10, outputTokens: 2 } }))).toStrictEqual({
      id: 'resp_chatcmpl-1',
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      background: false,
      completed_at: null,
      error: null,
      incomplete_details: null,
      access_programs: null,
      model: 'gpt-4o',
      output: [{ id: 'msg_chatcmpl-1_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [] }] }],
      store: false,
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
      ...defaults,
    });
  });

  it('renders thinking, joined text runs and tool calls as items in order', () => {
    const body = renderResponsesResponse(
      answer({
        content: [
          { type: 'thinking', text: 'Think A', signature: 'sig-a' },
          { type: 'thinking', text: 'Think B' },
          { type: 'text', text: 'Part 1, ' },
          { type: 'text', text: 'part 2.' },
          { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{}' },
          { type: 'tool_call', id: 'call_2', name: 'g', arguments: '{"a":1}' },
        ],
        finishReason: 'tool_calls',
      }),
    );
    expect(body.output).toStrictEqual([
      { id: 'rs_chatcmpl-1_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think A' }], encrypted_content: 'sig-a' },
      { id: 'rs_chatcmpl-1_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Think B' }] },
      { id: 'msg_chatcmpl-1_2', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Part 1, part 2.', annotations: [] }] },
      { id: 'fc_chatcmpl-1_3', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'call_1', name: 'f' },
      { id: 'fc_chatcmpl-1_4', type: 'function_call', status: 'completed', arguments: '{"a":1}', call_id: 'call_2', name: 'g' },
    ]);
    expect(body.usage).toBeNull();
  });

  it('marks a cut-short answer incomplete, its last item too', () => {
    const body = renderResponsesResponse(answer({ finishReason: 'length', content: [{ type: 'thinking', text: 't' }, { type: 'text', text: 'Once' }] }));
    expect(body.status).toBe('incomplete');
    expect(body.incomplete_details).toStrictEqual({ reason: 'max_output_tokens' });
    expect(body.output).toMatchObject([{ type: 'reasoning' }, { type: 'message', status: 'incomplete' }]);
    const filtered = renderResponsesResponse(answer({ finishReason: 'content_filter', content: [] }));
    expect(filtered).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] });
  });

  it('reports an upstream error finish as a failed response', () => {
    expect(renderResponsesResponse(answer({ finishReason: 'error' }))).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The upstream provider stopped with an error.' },
      incomplete_details: null,
    });
  });

  it('renders every usage detail the canonical usage has', () => {
    const body = renderResponsesResponse(answer({ usage: { inputTokens: 100, outputTokens: 40, cachedInputTokens: 60, cacheWriteInputTokens: 20, reasoningTokens: 30 } }));
    expect(body.usage).toStrictEqual({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 60, cache_write_tokens: 20 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 30 },
      total_tokens: 140,
    });
  });

  it('echoes the request settings when the request is given', () => {
    const request = parseResponsesRequest({
      model: 'gpt-4o',
      instructions: 'secret prompt',
      input: 'hi',
      max_output_tokens: 50,
      temperature: 0.5,
      top_p: 0.8,
      parallel_tool_calls: false,
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_object' }, verbosity: 'high' },
      reasoning: { effort: 'high', summary: 'detailed' },
      metadata: { k: 'v' },
      truncation: 'auto',
      max_tool_calls: 3,
      user: 'u1',
    });
    const body = renderResponsesResponse(answer({}), request);
    expect(body).toMatchObject({
      instructions: null,
      max_output_tokens: 50,
      max_tool_calls: 3,
      metadata: { k: 'v' },
      parallel_tool_calls: false,
      reasoning: { effort: 'high', summary: 'detailed' },
      temperature: 0.5,
      text: { format: { type: 'json_object' }, verbosity: 'high' },
      tool_choice: { type: 'function', name: 'f' },
      tools: [{ type: 'function', name: 'f', description: null, parameters: { type: 'object' }, strict: null }],
      top_p: 0.8,
      truncation: 'auto',
      user: 'u1',
    });
    const schema = renderResponsesResponse(answer({}), parseResponsesRequest({ ...{ model: 'm', input: 'x' }, text: { format: { type: 'json_schema', name: 'o', schema: {}, strict: true } } }));
    expect(schema.text).toStrictEqual({ format: { type: 'json_schema', name: 'o', schema: {}, strict: true } });
  });
});
