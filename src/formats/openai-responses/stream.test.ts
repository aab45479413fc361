import { describe, expect, it } from 'vitest';
import type { CanonicalRequest, StreamEvent } from '../canonical/types.ts';
import { createSseParser } from '../sse/parser.ts';
import { createResponsesStreamRenderer } from './render-stream.ts';

type Data = Record<string, unknown> & { type: string; sequence_number: number };

function decode(text: string): Data[] {
  const parser = createSseParser();
  return [...parser.push(text), ...parser.end()].map((event) => {
    const data = JSON.parse(event.data) as Data;
    // Every Responses event names its type twice: the SSE event field and the data's `type`.
    expect(event.event).toBe(data.type);
    return data;
  });
}

function run(events: StreamEvent[], request?: CanonicalRequest): Data[] {
  const renderer = createResponsesStreamRenderer(request);
  const out = events.map((event) => renderer.render(event)).join('') + renderer.end();
  const decoded = decode(out);
  expect(decoded.map((event) => event.sequence_number)).toStrictEqual(decoded.map((_, i) => i));
  return decoded;
}

/** The events without their sequence numbers (checked in run) and without the bulky lifecycle responses. */
function brief(events: Data[]): Record<string, unknown>[] {
  return events.map(({ sequence_number: _seq, ...rest }) => ('response' in rest ? { type: rest.type } : rest));
}

const start: StreamEvent = { type: 'start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1700000000 };
const usage: StreamEvent = { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } };

describe('createResponsesStreamRenderer', () => {
  it('renders a text answer as OpenAI streams it', () => {
    const events = run([start, { type: 'text_delta', text: 'Hel' }, { type: 'text_delta', text: 'lo' }, { type: 'finish', finishReason: 'stop' }, usage]);
    const at = { item_id: 'msg_chatcmpl-1_0', output_index: 0, content_index: 0 };
    expect(brief(events)).toStrictEqual([
      { type: 'response.created' },
      { type: 'response.in_progress' },
      { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_chatcmpl-1_0', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
      { type: 'response.content_part.added', ...at, part: { type: 'output_text', text: '', annotations: [] } },
      { type: 'response.output_text.delta', ...at, delta: 'Hel', logprobs: [] },
      { type: 'response.output_text.delta', ...at, delta: 'lo', logprobs: [] },
      { type: 'response.output_text.done', ...at, text: 'Hello', logprobs: [] },
      { type: 'response.content_part.done', ...at, part: { type: 'output_text', text: 'Hello', annotations: [] } },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'msg_chatcmpl-1_0', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] },
      },
      { type: 'response.completed' },
    ]);
    expect(events[0]?.response).toMatchObject({ id: 'resp_chatcmpl-1', object: 'response', status: 'in_progress', output: [], usage: null, created_at: 1700000000, model: 'gpt-4o' });
    const final = events.at(-1)?.response as Record<string, unknown>;
    expect(final).toMatchObject({ status: 'completed', incomplete_details: null, error: null });
    expect(final.output).toStrictEqual([(events[8] as Data).item]);
    expect(final.usage).toStrictEqual({ input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 7 });
  });

  it('renders reasoning as summary events and ends the item at the thinking signature', () => {
    const events = run([
      start,
      { type: 'thinking_delta', text: 'Hmm' },
      { type: 'thinking_signature', signature: 'sig' },
      { type: 'thinking_delta', text: 'More' },
      { type: 'text_delta', text: 'A' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    const at = { item_id: 'rs_chatcmpl-1_0', output_index: 0, summary_index: 0 };
    expect(brief(events).slice(2, 8)).toStrictEqual([
      { type: 'response.output_item.added', output_index: 0, item: { id: 'rs_chatcmpl-1_0', type: 'reasoning', summary: [] } },
      { type: 'response.reasoning_summary_part.added', ...at, part: { type: 'summary_text', text: '' } },
      { type: 'response.reasoning_summary_text.delta', ...at, delta: 'Hmm' },
      { type: 'response.reasoning_summary_text.done', ...at, text: 'Hmm' },
      { type: 'response.reasoning_summary_part.done', ...at, part: { type: 'summary_text', text: 'Hmm' } },
      { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_chatcmpl-1_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm' }], encrypted_content: 'sig' } },
    ]);
    const final = events.at(-1)?.response as { output: { id: string }[] };
    expect(final.output.map((item) => item.id)).toStrictEqual(['rs_chatcmpl-1_0', 'rs_chatcmpl-1_1', 'msg_chatcmpl-1_2']);
    // No usage came: end() still wrote the terminal event, with usage null.
    expect(events.at(-1)?.type).toBe('response.completed');
    expect((events.at(-1)?.response as { usage: unknown }).usage).toBeNull();
  });

  it('renders tool calls, interleaved ones included, closing them at the finish', () => {
    const events = run([
      start,
      { type: 'text_delta', text: 'Let me check.' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'f' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'g' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"x":' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '' },
      { type: 'finish', finishReason: 'tool_calls' },
      usage,
    ]);
    const calls = brief(events).filter((event) => event.output_index !== 0 && event.type !== 'response.created' && event.type !== 'response.in_progress' && event.type !== 'response.completed');
    expect(calls).toStrictEqual([
      { type: 'response.output_item.added', output_index: 1, item: { id: 'fc_chatcmpl-1_1', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_a', name: 'f' } },
      { type: 'response.output_item.added', output_index: 2, item: { id: 'fc_chatcmpl-1_2', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_b', name: 'g' } },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_chatcmpl-1_1', output_index: 1, delta: '{"x":' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_chatcmpl-1_2', output_index: 2, delta: '{}' },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_chatcmpl-1_1', output_index: 1, delta: '1}' },
      { type: 'response.function_call_arguments.done', item_id: 'fc_chatcmpl-1_1', output_index: 1, arguments: '{"x":1}' },
      { type: 'response.output_item.done', output_index: 1, item: { id: 'fc_chatcmpl-1_1', type: 'function_call', status: 'completed', arguments: '{"x":1}', call_id: 'call_a', name: 'f' } },
      { type: 'response.function_call_arguments.done', item_id: 'fc_chatcmpl-1_2', output_index: 2, arguments: '{}' },
      { type: 'response.output_item.done', output_index: 2, item: { id: 'fc_chatcmpl-1_2', type: 'function_call', status: 'completed', arguments: '{}', call_id: 'call_b', name: 'g' } },
    ]);
    // The message closed when the first call started, before any call event.
    const messageDone = events.findIndex((event) => event.type === 'response.output_item.done' && event.output_index === 0);
    const firstCall = events.findIndex((event) => event.output_index === 1);
    expect(messageDone).toBeLessThan(firstCall);
  });

  it('ends a cut-short answer with response.incomplete and its last item incomplete', () => {
    const events = run([start, { type: 'tool_call_start', index: 0, id: 'c', name: 'f' }, { type: 'tool_call_delta', index: 0, argumentsDelta: '{"a' }, { type: 'finish', finishReason: 'length' }, usage]);
    const terminal = events.at(-1);
    expect(terminal?.type).toBe('response.incomplete');
    expect(terminal?.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ status: 'incomplete', arguments: '{"a' }] });
  });

  it('writes the terminal event at the finish when usage came first, and nothing more after it', () => {
    const renderer = createResponsesStreamRenderer();
    renderer.render(start);
    expect(renderer.render(usage)).toBe('');
    const out = decode(renderer.render({ type: 'finish', finishReason: 'stop' }));
    expect(out.map((event) => event.type)).toStrictEqual(['response.completed']);
    expect(renderer.render(usage)).toBe('');
    expect(renderer.end()).toBe('');
  });

  it('writes an error event, then response.failed with the partial output', () => {
    const renderer = createResponsesStreamRenderer();
    const text = renderer.render(start) + renderer.render({ type: 'text_delta', text: 'Par' }) + renderer.render({ type: 'tool_call_start', index: 0, id: 'c', name: 'f' });
    const failure = decode(text + renderer.error({ error: { message: 'Rate limited upstream', type: 'rate_limit_error', param: null, code: 'RAMPART_UPSTREAM_RATE_LIMITED', request_id: 'r' } })).slice(-2);
    expect(failure[0]).toStrictEqual({ type: 'error', sequence_number: failure[0]?.sequence_number, code: 'RAMPART_UPSTREAM_RATE_LIMITED', message: 'Rate limited upstream', param: null });
    expect(failure[1]?.type).toBe('response.failed');
    expect(failure[1]?.response).toMatchObject({
      status: 'failed',
      error: { code: 'rate_limit_exceeded', message: 'Rate limited upstream' },
      output: [
        { type: 'message', status: 'completed', content: [{ text: 'Par' }] },
        { type: 'function_call', status: 'incomplete', arguments: '' },
      ],
    });
    expect(renderer.end()).toBe('');
  });

  it('writes only the error event when no response was created, whatever the body', () => {
    const renderer = createResponsesStreamRenderer();
    expect(decode(renderer.error('boom'))).toStrictEqual([{ type: 'error', sequence_number: 0, code: null, message: 'The request failed.', param: null }]);
  });

  it('echoes the request in the lifecycle responses', () => {
    const request: CanonicalRequest = { model: 'm', system: [], messages: [], stream: true, temperature: 0.2, toolChoice: { type: 'required' } };
    const events = run([start, { type: 'finish', finishReason: 'stop' }], request);
    expect(events[0]?.response).toMatchObject({ temperature: 0.2, tool_choice: 'required' });
    expect(events.at(-1)?.response).toMatchObject({ temperature: 0.2, tool_choice: 'required', output: [] });
  });

  it('refuses events out of protocol order', () => {
    expect(() => createResponsesStreamRenderer().render({ type: 'text_delta', text: 'x' })).toThrow(/start event must come first/);
    const renderer = createResponsesStreamRenderer();
    renderer.render(start);
    expect(() => renderer.render({ type: 'tool_call_delta', index: 3, argumentsDelta: 'x' })).toThrow(/not started/);
  });

  it('writes nothing for empty deltas and for a signature without a reasoning item', () => {
    const renderer = createResponsesStreamRenderer();
    renderer.render(start);
    expect(renderer.render({ type: 'text_delta', text: '' })).toBe('');
    expect(renderer.render({ type: 'thinking_signature', signature: 's' })).toBe('');
    expect(renderer.render({ type: 'thinking_delta', text: '' })).toBe('');
    // The empty thinking delta announced only the event right after it; a later stray signature is still dropped.
    expect(renderer.render({ type: 'text_delta', text: '' })).toBe('');
    expect(renderer.render({ type: 'thinking_signature', signature: 's' })).toBe('');
  });

  it('keeps a signature announced by an empty thinking delta off the thought before it (Gemini signs the function call)', () => {
    const events = run([
      start,
      { type: 'thinking_delta', text: 'Plan' },
      { type: 'thinking_delta', text: '' },
      { type: 'thinking_signature', signature: 'call-sig' },
      { type: 'tool_call_start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
      usage,
    ]);
    const signed = { id: 'rs_chatcmpl-1_1', type: 'reasoning', summary: [], encrypted_content: 'call-sig' };
    expect(brief(events).slice(7, 11)).toStrictEqual([
      { type: 'response.output_item.done', output_index: 0, item: { id: 'rs_chatcmpl-1_0', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan' }] } },
      { type: 'response.output_item.added', output_index: 1, item: { id: 'rs_chatcmpl-1_1', type: 'reasoning', summary: [] } },
      { type: 'response.output_item.done', output_index: 1, item: signed },
      { type: 'response.output_item.added', output_index: 2, item: { id: 'fc_chatcmpl-1_2', type: 'function_call', status: 'in_progress', arguments: '', call_id: 'call_0', name: 'f' } },
    ]);
    const final = events.at(-1)?.response as { output: unknown[] };
    expect(final.output[1]).toStrictEqual(signed);
  });
});
