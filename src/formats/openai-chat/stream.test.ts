import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { StreamEvent } from '../canonical/types.ts';
import { createSseParser } from '../sse/parser.ts';
import { createChatStreamParser } from './parse-stream.ts';
import { createChatStreamRenderer } from './render-stream.ts';

const head = { id: 'chatcmpl-123', object: 'chat.completion.chunk', created: 1694268190, model: 'gpt-4o-mini', system_fingerprint: 'fp_44709d6fcb' };
const chunk = (delta: unknown, finish_reason: string | null = null) =>
  JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason }] });

function pushAll(datas: string[]): StreamEvent[] {
  const parser = createChatStreamParser();
  const events = datas.flatMap((data) => parser.push(data));
  return [...events, ...parser.end()];
}

function formatErrorParam(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('createChatStreamParser', () => {
  it('parses a text stream as OpenAI sends it', () => {
    const events = pushAll([
      chunk({ role: 'assistant', content: '', refusal: null }),
      chunk({ content: 'Hello' }),
      chunk({ content: ' there' }),
      chunk({}, 'stop'),
      '[DONE]',
    ]);
    expect(events).toStrictEqual([
      { type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 },
      { type: 'text_delta', text: 'Hello' },
      { type: 'text_delta', text: ' there' },
      { type: 'finish', finishReason: 'stop' },
    ]);
  });

  it('parses streamed tool calls, reasoning and the final usage chunk', () => {
    const events = pushAll([
      chunk({ role: 'assistant', content: null, reasoning_content: 'Let me look.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 2 } } }),
    ]);
    const parser = createChatStreamParser();
    expect(parser.push('[DONE]')).toStrictEqual([]);
    expect(events).toStrictEqual([
      { type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 },
      { type: 'thinking_delta', text: 'Let me look.' },
      { type: 'tool_call_start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"location":' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool_call_start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2 } },
    ]);
  });

  it('holds usage sent on content chunks (a compatible-server habit) until [DONE] or end, keeping only the last', () => {
    const usage = (n: number) => ({ prompt_tokens: 3, completion_tokens: n, total_tokens: 3 + n });
    const parser = createChatStreamParser();
    const withUsage = (delta: unknown, finish: string | null, n: number) => JSON.stringify({ ...JSON.parse(chunk(delta, finish)), usage: usage(n) });
    expect(parser.push(withUsage({ content: 'a' }, null, 1))).toStrictEqual([
      { type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 },
      { type: 'text_delta', text: 'a' },
    ]);
    expect(parser.push(withUsage({}, 'length', 2))).toStrictEqual([{ type: 'finish', finishReason: 'length' }]);
    expect(parser.push('[DONE]')).toStrictEqual([{ type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } }]);
    expect(parser.end()).toStrictEqual([]);

    const noDone = createChatStreamParser();
    noDone.push(withUsage({ content: 'a' }, 'stop', 4));
    expect(noDone.end()).toStrictEqual([{ type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } }]);
  });

  it('skips a leading chunk without choices or usage (Azure prompt_filter_results)', () => {
    const events = pushAll([
      JSON.stringify({ id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [] }),
      chunk({ content: 'x' }),
    ]);
    expect(events[0]).toStrictEqual({ type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 });
  });

  it('maps the deprecated function_call finish reason to tool_calls', () => {
    expect(pushAll([chunk({}, 'function_call')]).at(-1)).toStrictEqual({ type: 'finish', finishReason: 'tool_calls' });
  });

  describe('FormatError on bad chunks', () => {
    const cases: [string, string[], string | null][] = [
      ['invalid JSON', ['{"id":'], null],
      ['not an object', ['[1,2]'], null],
      ['error event', ['{"error":{"message":"overloaded","type":"server_error"}}'], 'error'],
      ['choices not array', [JSON.stringify({ ...head, choices: {} })], 'choices'],
      ['missing id on first chunk', [JSON.stringify({ ...head, id: 5, choices: [{ index: 0, delta: {} }] })], 'id'],
      ['content number', [chunk({ content: 1 })], 'choices[0].delta.content'],
      ['tool call start without id', [chunk({ tool_calls: [{ index: 0, function: { name: 'f' } }] })], 'choices[0].delta.tool_calls[0].id'],
      ['tool call start without name', [chunk({ tool_calls: [{ index: 0, id: 'c', function: {} }] })], 'choices[0].delta.tool_calls[0].function.name'],
      ['negative tool index', [chunk({ tool_calls: [{ index: -1, id: 'c', function: { name: 'f' } }] })], 'choices[0].delta.tool_calls[0].index'],
      ['finish_reason number', [chunk({}, 7 as unknown as string)], 'choices[0].finish_reason'],
      ['usage malformed', [JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 'x' } })], 'usage.prompt_tokens'],
    ];
    for (const [name, datas, param] of cases) {
      it(name, () => {
        expect(formatErrorParam(() => pushAll(datas))).toBe(param);
      });
    }
  });

  it('throws nothing but FormatError on arbitrary data', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.constant(chunk({ content: 'x' })))), (datas) => {
        try {
          pushAll(datas);
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('createChatStreamRenderer', () => {
  const start: StreamEvent = { type: 'start', id: 'chatcmpl-123', model: 'gpt-4o-mini', created: 1694268190 };
  const env = '"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini"';

  it('renders the chunks OpenAI sends, with usage: null everywhere when usage was requested', () => {
    const renderer = createChatStreamRenderer({ includeUsage: true });
    const out = [
      start,
      { type: 'text_delta', text: 'Hi "you"\n' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"a":' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 3, reasoningTokens: 1 } },
    ].map((event) => renderer.render(event as StreamEvent));
    expect(out).toStrictEqual([
      `data: {${env},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
      `data: {${env},"choices":[{"index":0,"delta":{"content":"Hi \\"you\\"\\n"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
      `data: {${env},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
      `data: {${env},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}\n\n`,
      `data: {${env},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}\n\n`,
      `data: {${env},"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12,"completion_tokens_details":{"reasoning_tokens":1}}}\n\n`,
    ]);
    expect(renderer.renderDone()).toBe('data: [DONE]\n\n');
  });

  it('omits the usage field and the usage chunk when usage was not requested', () => {
    const renderer = createChatStreamRenderer({ includeUsage: false });
    renderer.render(start);
    expect(renderer.render({ type: 'thinking_delta', text: 'hm' })).toBe(
      `data: {${env},"choices":[{"index":0,"delta":{"reasoning_content":"hm"},"logprobs":null,"finish_reason":null}]}\n\n`,
    );
    expect(renderer.render({ type: 'finish', finishReason: 'error' })).toBe(
      `data: {${env},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}\n\n`,
    );
    expect(renderer.render({ type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } })).toBe('');
    expect(renderer.render({ type: 'text_delta', text: '' })).toBe('');
  });

  it('renumbers sparse canonical tool indexes 0, 1, … in order of appearance', () => {
    const renderer = createChatStreamRenderer({ includeUsage: false });
    renderer.render(start);
    const indexOf = (text: string) => (JSON.parse(text.slice('data: '.length)) as { choices: [{ delta: { tool_calls: [{ index: number }] } }] }).choices[0].delta.tool_calls[0].index;
    expect(indexOf(renderer.render({ type: 'tool_call_start', index: 1, id: 'a', name: 'f' }))).toBe(0);
    expect(indexOf(renderer.render({ type: 'tool_call_start', index: 3, id: 'b', name: 'g' }))).toBe(1);
    expect(indexOf(renderer.render({ type: 'tool_call_delta', index: 1, argumentsDelta: '{}' }))).toBe(0);
  });

  it('writes errors as a data event and refuses deltas before start', () => {
    const renderer = createChatStreamRenderer({ includeUsage: false });
    expect(() => renderer.render({ type: 'text_delta', text: 'x' })).toThrow(/start/);
    const body = { error: { message: 'Upstream timed out', type: 'timeout_error', param: null, code: 'RAMPART_UPSTREAM_TIMEOUT' } };
    expect(renderer.renderError(body)).toBe(`data: ${JSON.stringify(body)}\n\n`);
  });
});

describe('render → SSE → parse', () => {
  const text = fc.string({ minLength: 1, unit: fc.constantFrom('a', 'é', '😀', '\n', '\r', '"', '\\', ':', ' ', '\u2028') });
  const usage = fc.record(
    { inputTokens: fc.nat(), outputTokens: fc.nat(), cachedInputTokens: fc.nat(), reasoningTokens: fc.nat() },
    { requiredKeys: ['inputTokens', 'outputTokens'], noNullPrototype: true },
  );
  // A valid canonical sequence: start, interleaved deltas (tool indexes contiguous from 0), finish, optional usage.
  const sequence = fc
    .tuple(
      fc.record({ id: fc.string(), model: fc.string(), created: fc.nat() }),
      fc.array(fc.oneof(fc.record({ kind: fc.constant('text' as const), text }), fc.record({ kind: fc.constant('thinking' as const), text }), fc.record({ kind: fc.constant('tool' as const), args: fc.array(text, { maxLength: 3 }) })), { maxLength: 8 }),
      fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter') satisfies fc.Arbitrary<'stop' | 'length' | 'tool_calls' | 'content_filter'>,
      fc.option(usage, { nil: undefined }),
    )
    .map(([startFields, steps, finishReason, finalUsage]) => {
      const events: StreamEvent[] = [{ type: 'start', ...startFields }];
      let tools = 0;
      for (const step of steps) {
        if (step.kind === 'text') events.push({ type: 'text_delta', text: step.text });
        else if (step.kind === 'thinking') events.push({ type: 'thinking_delta', text: step.text });
        else {
          const index = tools++;
          events.push({ type: 'tool_call_start', index, id: `call_${index}`, name: `fn_${index}` });
          for (const argumentsDelta of step.args) events.push({ type: 'tool_call_delta', index, argumentsDelta });
        }
      }
      events.push({ type: 'finish', finishReason });
      if (finalUsage !== undefined) events.push({ type: 'usage', usage: finalUsage });
      return events;
    });

  it('gives back the same canonical events, whatever the network chunking', () => {
    fc.assert(
      fc.property(sequence, fc.array(fc.nat(), { maxLength: 10 }), (events, cuts) => {
        const renderer = createChatStreamRenderer({ includeUsage: true });
        const wire = events.map((event) => renderer.render(event)).join('') + renderer.renderDone();
        const positions = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const sse = createSseParser();
        const chat = createChatStreamParser();
        const parsed: StreamEvent[] = [];
        let last = 0;
        for (const p of [...positions, wire.length]) {
          for (const sseEvent of sse.push(wire.slice(last, p))) parsed.push(...chat.push(sseEvent.data));
          last = p;
        }
        sse.end();
        parsed.push(...chat.end());
        expect(parsed).toStrictEqual(events);
      }),
      { numRuns: 300 },
    );
  });
});
