import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { StreamEvent } from '../canonical/types.ts';
import { UpstreamStreamError } from '../canonical/upstream-stream-error.ts';
import { createSseParser } from '../sse/parser.ts';
import { renderGeminiError } from './mappings.ts';
import { createGenerateContentStreamParser } from './parse-stream.ts';
import { createGenerateContentStreamRenderer } from './render-stream.ts';

const head = { modelVersion: 'gemini-2.5-flash', responseId: 'r1' };
const chunk = (parts: unknown[], extra: Record<string, unknown> = {}, finishReason?: string): string =>
  JSON.stringify({ candidates: [{ content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }], ...extra, ...head });

function pushAll(datas: string[]): StreamEvent[] {
  const parser = createGenerateContentStreamParser();
  return [...datas.flatMap((data) => parser.push(data)), ...parser.end()];
}

function render(events: StreamEvent[], framing: 'sse' | 'json-array'): string {
  const renderer = createGenerateContentStreamRenderer({ framing });
  return events.map((event) => renderer.render(event)).join('') + renderer.end();
}

/** The chunks of a rendered stream, whatever its framing. */
function chunksOf(text: string, framing: 'sse' | 'json-array'): unknown[] {
  if (framing === 'json-array') return JSON.parse(text) as unknown[];
  const parser = createSseParser();
  return [...parser.push(text), ...parser.end()].map((event) => JSON.parse(event.data) as unknown);
}

describe('createGenerateContentStreamParser', () => {
  it('turns chunks into canonical events, usage from the last chunk after the finish', () => {
    expect(
      pushAll([
        chunk([{ text: 'Let me see.', thought: true }], { usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }),
        chunk([{ text: 'Hi' }, { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'SIG' }], { usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 } }),
        chunk([{ functionCall: { name: 'g' } }, { text: '' }], { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, thoughtsTokenCount: 3, totalTokenCount: 12 } }, 'STOP'),
      ]),
    ).toStrictEqual([
      { type: 'start', id: 'r1', model: 'gemini-2.5-flash', created: 0 },
      { type: 'thinking_delta', text: 'Let me see.' },
      { type: 'text_delta', text: 'Hi' },
      { type: 'thinking_delta', text: '' },
      { type: 'thinking_signature', signature: 'SIG' },
      { type: 'tool_call_start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"a":1}' },
      { type: 'tool_call_start', index: 1, id: 'call_1', name: 'g' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
      { type: 'finish', finishReason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 7, reasoningTokens: 3 } },
    ] satisfies StreamEvent[]);
  });

  it('ignores content after the finish, and ends without usage when none came', () => {
    expect(pushAll([chunk([{ text: 'a' }], {}, 'MAX_TOKENS'), chunk([{ text: 'late' }])])).toStrictEqual([
      { type: 'start', id: 'r1', model: 'gemini-2.5-flash', created: 0 },
      { type: 'text_delta', text: 'a' },
      { type: 'finish', finishReason: 'length' },
    ]);
  });

  it.each([
    [{ code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' }, 'rate_limit'],
    [{ code: 503, message: 'busy', status: 'UNAVAILABLE' }, 'overloaded'],
    [{ code: 400, message: 'bad', status: 'INVALID_ARGUMENT' }, 'invalid_request'],
    [{ code: 403, message: 'no', status: 'PERMISSION_DENIED' }, 'authentication'],
    [{ code: 500, message: 'oops', status: 'INTERNAL' }, 'api_error'],
  ])('raises an in-stream error %j as UpstreamStreamError', (error, kind) => {
    const parser = createGenerateContentStreamParser();
    parser.push(chunk([{ text: 'x' }]));
    expect(() => parser.push(JSON.stringify({ error }))).toThrow(UpstreamStreamError);
    try {
      parser.push(JSON.stringify({ error }));
    } catch (thrown) {
      expect((thrown as UpstreamStreamError).kind).toBe(kind);
    }
  });

  it('refuses malformed chunks with FormatError', () => {
    expect(() => createGenerateContentStreamParser().push('{')).toThrow(FormatError);
    expect(() => createGenerateContentStreamParser().push('[1]')).toThrow(FormatError);
    expect(() => createGenerateContentStreamParser().push(JSON.stringify({ candidates: 'no' }))).toThrow(FormatError);
    expect(() => createGenerateContentStreamParser().push(chunk([{ functionCall: { name: 'f', args: 'x' } }]))).toThrow(FormatError);
  });

  it('throws only FormatError or UpstreamStreamError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)))), (datas) => {
        const parser = createGenerateContentStreamParser();
        for (const data of datas) {
          try {
            parser.push(data);
          } catch (error) {
            if (!(error instanceof FormatError) && !(error instanceof UpstreamStreamError)) throw error;
          }
        }
        parser.end();
      }),
    );
  });
});

describe('createGenerateContentStreamRenderer', () => {
  const events: StreamEvent[] = [
    { type: 'start', id: 'r9', model: 'm', created: 0 },
    { type: 'text_delta', text: 'Hi' },
    { type: 'finish', finishReason: 'stop' },
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
  ];
  const first = '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"modelVersion":"m","responseId":"r9"}';
  const last =
    '{"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],' +
    '"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2},"modelVersion":"m","responseId":"r9"}';

  it('writes SSE as Google does: data lines ended by CRLF CRLF', () => {
    expect(render(events, 'sse')).toBe(`data: ${first}\r\n\r\ndata: ${last}\r\n\r\n`);
  });

  it('writes a JSON array incrementally without alt=sse', () => {
    const renderer = createGenerateContentStreamRenderer({ framing: 'json-array' });
    const pieces = events.map((event) => renderer.render(event));
    expect(pieces).toStrictEqual(['', `[${first}`, '', `,\r\n${last}`]);
    expect(renderer.end()).toBe(']');
    expect(renderer.contentType).toBe('application/json; charset=utf-8');
    expect(createGenerateContentStreamRenderer({ framing: 'json-array' }).end()).toBe('[]');
  });

  it('ends a stream with an error item in either framing', () => {
    const error = renderGeminiError(503, 'UNAVAILABLE', 'Upstream overloaded');
    const array = createGenerateContentStreamRenderer({ framing: 'json-array' });
    expect(JSON.parse(array.error(error))).toStrictEqual([error]);
    const sse = createGenerateContentStreamRenderer({ framing: 'sse' });
    const text = sse.render({ type: 'start', id: 'r', model: 'm', created: 0 }) + sse.render({ type: 'thinking_delta', text: 'hm' }) + sse.error(error);
    expect(chunksOf(text, 'sse')).toStrictEqual([
      { candidates: [{ content: { parts: [{ text: 'hm', thought: true }], role: 'model' }, index: 0 }], modelVersion: 'm', responseId: 'r' },
      { error: { code: 503, message: 'Upstream overloaded', status: 'UNAVAILABLE' } },
    ]);
  });

  it('puts a signature on the thought it follows, else on the next part; leftovers ride on the finish chunk', () => {
    const chunks = chunksOf(
      render(
        [
          { type: 'start', id: 'r', model: 'm', created: 0 },
          { type: 'thinking_delta', text: 'a' },
          { type: 'thinking_signature', signature: 'S1' },
          { type: 'thinking_signature', signature: 'S2' },
          { type: 'tool_call_start', index: 3, id: 'c', name: 'f' },
          { type: 'tool_call_delta', index: 3, argumentsDelta: '{"x":' },
          { type: 'tool_call_delta', index: 3, argumentsDelta: '1}' },
          { type: 'thinking_signature', signature: 'S3' },
          { type: 'finish', finishReason: 'tool_calls' },
        ],
        'sse',
      ),
      'sse',
    );
    const parts = chunks.map((c) => (c as { candidates: { content: { parts: unknown[] } }[] }).candidates[0]?.content.parts);
    expect(parts).toStrictEqual([
      [{ text: 'a', thought: true, thoughtSignature: 'S1' }],
      [{ functionCall: { id: 'c', name: 'f', args: { x: 1 } }, thoughtSignature: 'S2' }],
      [{ text: '', thoughtSignature: 'S3' }],
    ]);
  });

  it('renders any well-formed event sequence so that both framings carry the same chunks and parse back', () => {
    const step = fc.oneof(
      fc.record({ type: fc.constant('text_delta' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ type: fc.constant('thinking_delta' as const), text: fc.string({ maxLength: 8 }) }),
      fc.record({ type: fc.constant('call' as const), name: fc.constantFrom('f', 'g'), args: fc.dictionary(fc.string({ maxLength: 3 }), fc.integer()) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), fc.constantFrom('stop', 'length', 'tool_calls'), (steps, reason) => {
        const events: StreamEvent[] = [{ type: 'start', id: 'id', model: 'm', created: 0 }];
        let index = 0;
        let text = '';
        const calls: { name: string; args: unknown }[] = [];
        for (const s of steps) {
          if (s.type === 'call') {
            const json = JSON.stringify(s.args);
            events.push({ type: 'tool_call_start', index, id: `c${index}`, name: s.name }, { type: 'tool_call_delta', index, argumentsDelta: json.slice(0, 2) });
            events.push({ type: 'tool_call_delta', index: index++, argumentsDelta: json.slice(2) });
            calls.push({ name: s.name, args: JSON.parse(json) as unknown });
          } else {
            events.push(s);
            if (s.type === 'text_delta') text += s.text;
          }
        }
        events.push({ type: 'finish', finishReason: reason }, { type: 'usage', usage: { inputTokens: 2, outputTokens: 3 } });
        const sse = chunksOf(render(events, 'sse'), 'sse');
        expect(chunksOf(render(events, 'json-array'), 'json-array')).toStrictEqual(sse);
        const back = pushAll(sse.map((c) => JSON.stringify(c)));
        expect(back.filter((e) => e.type === 'text_delta').map((e) => e.text).join('')).toBe(text);
        const starts = back.filter((e) => e.type === 'tool_call_start');
        const args = back.filter((e) => e.type === 'tool_call_delta').map((e) => JSON.parse(e.argumentsDelta) as unknown);
        expect(starts.map((e, i) => ({ name: e.name, args: args[i] }))).toStrictEqual(calls);
        expect(back.at(-1)).toStrictEqual({ type: 'usage', usage: { inputTokens: 2, outputTokens: 3 } });
      }),
    );
  });
});
