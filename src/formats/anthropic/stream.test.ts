import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { StreamEvent } from '../canonical/types.ts';
import { UpstreamStreamError } from '../canonical/upstream-stream-error.ts';
import { createSseParser } from '../sse/parser.ts';
import { createMessagesStreamParser } from './parse-stream.ts';
import { createMessagesStreamRenderer } from './render-stream.ts';

type Wire = [event: string, data: Record<string, unknown>];
const messageStart = (usage: Record<string, unknown> = { input_tokens: 10, output_tokens: 1 }): Wire => [
  'message_start',
  { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], model: 'claude-x', stop_reason: null, stop_sequence: null, usage } },
];
const blockStart = (index: number, block: Record<string, unknown>): Wire => ['content_block_start', { type: 'content_block_start', index, content_block: block }];
const blockDelta = (index: number, delta: Record<string, unknown>): Wire => ['content_block_delta', { type: 'content_block_delta', index, delta }];
const blockStop = (index: number): Wire => ['content_block_stop', { type: 'content_block_stop', index }];
const messageDelta = (stop: string | null, usage: Record<string, unknown>): Wire => ['message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage }];
const messageStop: Wire = ['message_stop', { type: 'message_stop' }];

function parseAll(wire: Wire[]): StreamEvent[] {
  const parser = createMessagesStreamParser();
  return [...wire.flatMap(([event, data]) => parser.push(JSON.stringify(data), event)), ...parser.end()];
}

function renderAll(events: StreamEvent[]): { event?: string; data: unknown }[] {
  const renderer = createMessagesStreamRenderer();
  const text = events.map((e) => renderer.render(e)).join('') + renderer.end();
  return createSseParser()
    .push(text)
    .map((e) => ({ event: e.event, data: JSON.parse(e.data) as unknown }));
}

describe('createMessagesStreamParser', () => {
  it('parses text, thinking with signature and a tool call; usage combines both halves, after finish', () => {
    const events = parseAll([
      messageStart({ input_tokens: 10, cache_creation_input_tokens: 3, cache_read_input_tokens: 20, output_tokens: 1 }),
      blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      ['ping', { type: 'ping' }],
      blockDelta(0, { type: 'thinking_delta', thinking: 'hmm' }),
      blockDelta(0, { type: 'signature_delta', signature: 'sig' }),
      blockStop(0),
      blockStart(1, { type: 'text', text: '' }),
      blockDelta(1, { type: 'text_delta', text: 'Hi' }),
      blockDelta(1, { type: 'citations_delta', citation: {} }),
      blockStop(1),
      blockStart(2, { type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }),
      blockDelta(2, { type: 'input_json_delta', partial_json: '' }),
      blockDelta(2, { type: 'input_json_delta', partial_json: '{"a":1}' }),
      blockStop(2),
      messageDelta('tool_use', { output_tokens: 30 }),
      messageStop,
    ]);
    expect(events).toStrictEqual([
      { type: 'start', id: 'msg_1', model: 'claude-x', created: 0 },
      { type: 'thinking_delta', text: 'hmm' },
      { type: 'thinking_signature', signature: 'sig' },
      { type: 'text_delta', text: 'Hi' },
      { type: 'tool_call_start', index: 2, id: 'toolu_1', name: 'f' },
      { type: 'tool_call_delta', index: 2, argumentsDelta: '{"a":1}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 33, outputTokens: 30, cachedInputTokens: 20, cacheWriteInputTokens: 3 } },
    ]);
  });

  it('lets cumulative counts in message_delta win and sends usage at end() when message_stop never came', () => {
    const parser = createMessagesStreamParser();
    parser.push(JSON.stringify(messageStart()[1]));
    parser.push(JSON.stringify(messageDelta('end_turn', { input_tokens: 12, output_tokens: 4 })[1]));
    expect(parser.end()).toStrictEqual([{ type: 'usage', usage: { inputTokens: 12, outputTokens: 4 } }]);
    expect(parser.end()).toStrictEqual([]);
  });

  it('ignores unknown events, redacted thinking and deltas of unknown block kinds', () => {
    const events = parseAll([
      messageStart(),
      ['future_event', { type: 'future_event' }],
      blockStart(0, { type: 'redacted_thinking', data: 'R' }),
      blockStop(0),
      blockStart(1, { type: 'future_block' }),
      blockDelta(1, { type: 'text_delta', text: 'hidden' }),
      messageDelta('end_turn', { output_tokens: 1 }),
      messageStop,
    ]);
    expect(events.map((e) => e.type)).toStrictEqual(['start', 'finish', 'usage']);
  });

  it.each([
    ['overloaded_error', 'overloaded'],
    ['rate_limit_error', 'rate_limit'],
    ['invalid_request_error', 'invalid_request'],
    ['authentication_error', 'authentication'],
    ['api_error', 'api_error'],
    ['mystery', 'api_error'],
  ])('raises an %s event as UpstreamStreamError(%s) without the upstream message', (type, kind) => {
    const parser = createMessagesStreamParser();
    parser.push(JSON.stringify(messageStart()[1]), 'message_start');
    let thrown: unknown;
    try {
      parser.push(JSON.stringify({ type: 'error', error: { type, message: 'secret upstream detail' } }), 'error');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamStreamError);
    expect((thrown as UpstreamStreamError).kind).toBe(kind);
    expect((thrown as UpstreamStreamError).message).not.toContain('secret');
  });

  it.each([
    [[blockStart(0, { type: 'text', text: '' })], 'index'],
    [[messageStart(), blockDelta(3, { type: 'text_delta', text: 'x' })], 'index'],
    [[messageStart(), blockStart(0, { type: 'text', text: '' }), blockDelta(0, { type: 'input_json_delta', partial_json: '{' })], 'delta.type'],
    [[messageStart(), blockStart(0, { type: 'tool_use', id: '', name: 'f', input: {} })], 'content_block.id'],
    [[messageStart(), messageDelta('end_turn', { output_tokens: -1 })], 'usage.output_tokens'],
  ] as [Wire[], string][])('refuses a malformed stream (%#)', (wire, param) => {
    let thrown: unknown;
    try {
      parseAll(wire);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FormatError);
    expect((thrown as FormatError).param).toBe(param);
  });

  it('throws only FormatError or UpstreamStreamError on arbitrary input', () => {
    const names = fc.constantFrom('message_start', 'content_block_start', 'content_block_delta', 'message_delta', 'message_stop', 'error', 'ping', 'x');
    const payload = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ type: names, index: fc.jsonValue(), message: fc.jsonValue(), content_block: fc.jsonValue(), delta: fc.jsonValue(), usage: fc.jsonValue(), error: fc.jsonValue() }, { requiredKeys: ['type'] }).map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(payload, fc.option(names, { nil: undefined }))), (events) => {
        const parser = createMessagesStreamParser();
        try {
          for (const [data, event] of events) parser.push(data, event);
          parser.end();
        } catch (error) {
          if (!(error instanceof FormatError) && !(error instanceof UpstreamStreamError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('createMessagesStreamRenderer', () => {
  const start: StreamEvent = { type: 'start', id: 'msg_1', model: 'claude-x', created: 0 };

  it('opens a new thinking block after a signature and numbers blocks in order', () => {
    const out = renderAll([
      start,
      { type: 'thinking_delta', text: 'a' },
      { type: 'thinking_signature', signature: 's1' },
      { type: 'thinking_signature', signature: 's2' },
      { type: 'text_delta', text: '' },
      { type: 'text_delta', text: 'x' },
      { type: 'finish', finishReason: 'stop' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } },
    ]);
    expect(out.map((e) => [e.event, (e.data as { index?: number }).index])).toStrictEqual([
      ['message_start', undefined],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['content_block_start', 2],
      ['content_block_delta', 2],
      ['content_block_stop', 2],
      ['message_delta', undefined],
      ['message_stop', undefined],
    ]);
  });

  it('gives a signature after an empty thinking_delta its own block, not the thought before it (Gemini signs the next part)', () => {
    const out = renderAll([
      start,
      { type: 'thinking_delta', text: 'plan' },
      { type: 'thinking_delta', text: '' },
      { type: 'thinking_signature', signature: 'SIG' },
      { type: 'tool_call_start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
    expect(out.slice(1, 7)).toStrictEqual([
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'plan' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'signature_delta', signature: 'SIG' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
    ]);
    expect(out[7]?.data).toMatchObject({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'call_0' } });
  });

  it('sends a late delta of an earlier tool call under that block index', () => {
    const out = renderAll([
      start,
      { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_start', index: 1, id: 'b', name: 'g' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
    ]);
    expect(out[4]).toStrictEqual({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } } });
    expect(out.at(-2)).toStrictEqual({
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 0 } },
    });
  });

  it('writes the ending once: on usage after finish, and end() adds nothing after that', () => {
    const renderer = createMessagesStreamRenderer();
    renderer.render(start);
    expect(renderer.render({ type: 'finish', finishReason: 'stop' })).toBe('');
    expect(renderer.render({ type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } })).toContain('event: message_stop');
    expect(renderer.end()).toBe('');
  });

  it('writes an error as an Anthropic error event', () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' };
    expect(createMessagesStreamRenderer().error(body)).toBe(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
  });

  it('refuses events before start', () => {
    expect(() => createMessagesStreamRenderer().render({ type: 'text_delta', text: 'x' })).toThrow(/start event must come first/);
  });
});
