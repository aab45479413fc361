import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalResponse, Usage } from '../canonical/types.ts';
import { parseFinishReason, parseUsage, renderFinishReason, renderUsage } from './mappings.ts';
import { parseGenerateContentResponse } from './parse-response.ts';
import { renderGenerateContentResponse } from './render-response.ts';

const head = { modelVersion: 'gemini-2.5-flash', responseId: 'r1' };
const candidate = (parts: unknown[], finishReason = 'STOP'): unknown => ({ ...head, candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }] });

describe('parseGenerateContentResponse', () => {
  it('parses text, thoughts and calls; synthesises call ids by position', () => {
    const response = parseGenerateContentResponse(
      candidate([
        { text: 'think', thought: true },
        { text: 'Hi' },
        { functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'SIG' },
        { functionCall: { id: 'given', name: 'b' } },
        { functionCall: { name: 'c', args: {} } },
        { executableCode: { language: 'PYTHON', code: 'print(1)' } },
        { inlineData: { mimeType: 'image/png', data: 'QQ==' } },
      ]),
    );
    expect(response).toStrictEqual({
      id: 'r1',
      model: 'gemini-2.5-flash',
      created: 0,
      content: [
        { type: 'thinking', text: 'think' },
        { type: 'text', text: 'Hi' },
        { type: 'thinking', text: '', signature: 'SIG' },
        { type: 'tool_call', id: 'call_0', name: 'a', arguments: '{"x":1}' },
        { type: 'tool_call', id: 'given', name: 'b', arguments: '{}' },
        { type: 'tool_call', id: 'call_2', name: 'c', arguments: '{}' },
      ],
      finishReason: 'tool_calls',
    } satisfies CanonicalResponse);
  });

  it('reads Vertex createTime, and keeps grounding metadata for a Gemini client', () => {
    const response = parseGenerateContentResponse({
      createTime: '2025-01-01T00:00:00.500Z',
      candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'STOP', groundingMetadata: { webSearchQueries: ['q'] } }],
    });
    expect(response.created).toBe(1735689600);
    expect(response.id).toBe('');
    expect(response.extensions).toStrictEqual({ gemini: { groundingMetadata: { webSearchQueries: ['q'] } } });
  });

  it('maps finish reasons', () => {
    expect(parseFinishReason('STOP', false)).toBe('stop');
    expect(parseFinishReason('STOP', true)).toBe('tool_calls');
    expect(parseFinishReason('MAX_TOKENS', true)).toBe('length');
    expect(parseFinishReason('RECITATION', false)).toBe('content_filter');
    expect(parseFinishReason('MALFORMED_FUNCTION_CALL', false)).toBe('error');
    expect(parseFinishReason('SOMETHING_NEW', false)).toBe('stop');
    expect(renderFinishReason('tool_calls')).toBe('STOP');
    expect(renderFinishReason('error')).toBe('OTHER');
  });

  it.each([
    ['a non-object', 'text', null],
    ['an error body', { error: { code: 500 } }, 'error'],
    ['no candidates and no block reason', { ...head }, 'candidates'],
    ['a non-string finish reason', { candidates: [{ finishReason: 3 }] }, 'candidates[0].finishReason'],
    ['negative usage', { candidates: [{}], usageMetadata: { promptTokenCount: -1 } }, 'usageMetadata.promptTokenCount'],
    ['a call without a name', candidate([{ functionCall: { args: {} } }]), 'candidates[0].content.parts[0].functionCall.name'],
  ])('refuses %s', (_name, body, param) => {
    try {
      parseGenerateContentResponse(body);
      throw new Error('expected a FormatError');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).param).toBe(param);
    }
  });
});

describe('renderGenerateContentResponse', () => {
  it('round-trips a Gemini response through the canonical model', () => {
    const wire = {
      candidates: [
        {
          content: {
            parts: [
              { text: 'plan', thought: true },
              { text: 'Sure.', thoughtSignature: 'S' },
              { functionCall: { id: 'fc1', name: 'f', args: { q: [1, 2] } } },
              { text: '', thoughtSignature: 'T' },
            ],
            role: 'model',
          },
          finishReason: 'MAX_TOKENS',
          index: 0,
          citationMetadata: { citationSources: [{ uri: 'https://a' }] },
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 17, thoughtsTokenCount: 2 },
      ...head,
    };
    expect(renderGenerateContentResponse(parseGenerateContentResponse(wire))).toStrictEqual(wire);
  });

  it('reports calls whose arguments are not an object as MALFORMED_FUNCTION_CALL, except when cut by the limit', () => {
    const response = (finishReason: CanonicalResponse['finishReason']): CanonicalResponse => ({
      id: 'x',
      model: 'm',
      created: 0,
      content: [
        { type: 'text', text: 'ok' },
        { type: 'tool_call', id: 'c', name: 'f', arguments: '{"a":' },
      ],
      finishReason,
    });
    const rendered = renderGenerateContentResponse(response('tool_calls'));
    expect(rendered.candidates).toStrictEqual([{ content: { parts: [{ text: 'ok' }], role: 'model' }, finishReason: 'MALFORMED_FUNCTION_CALL', index: 0 }]);
    expect((renderGenerateContentResponse(response('length')).candidates as { finishReason: string }[])[0]?.finishReason).toBe('MAX_TOKENS');
  });
});

describe('usage conversion', () => {
  it('adds thoughts and tool-use prompt tokens the way the canonical model counts', () => {
    expect(parseUsage({ promptTokenCount: 10, toolUsePromptTokenCount: 4, candidatesTokenCount: 3, thoughtsTokenCount: 7, totalTokenCount: 24 }, 'u')).toStrictEqual({
      inputTokens: 14,
      outputTokens: 10,
      reasoningTokens: 7,
    });
    expect(parseUsage({}, 'u')).toStrictEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('renders and parses back every consistent canonical usage unchanged', () => {
    const usage = fc
      .record({
        inputTokens: fc.nat(1e7),
        outputTokens: fc.nat(1e7),
        cached: fc.option(fc.nat(1e7), { nil: undefined }),
        reasoning: fc.option(fc.nat(1e7), { nil: undefined }),
      })
      .map(({ inputTokens, outputTokens, cached, reasoning }): Usage => {
        const result: Usage = { inputTokens, outputTokens };
        if (cached !== undefined) result.cachedInputTokens = Math.min(cached, inputTokens);
        if (reasoning !== undefined) result.reasoningTokens = Math.min(reasoning, outputTokens);
        return result;
      });
    fc.assert(
      fc.property(usage, (value) => {
        const wire = renderUsage(value);
        expect(wire.totalTokenCount).toBe(value.inputTokens + value.outputTokens);
        expect(parseUsage(wire, 'usageMetadata')).toStrictEqual(value);
      }),
    );
  });
});
