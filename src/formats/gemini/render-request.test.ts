import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalMessage, CanonicalRequest } from '../canonical/types.ts';
import { renderCountTokensRequest } from './count-tokens.ts';
import { parseGenerateContentRequest } from './parse-request.ts';
import { SKIP_SIGNATURE } from './render-contents.ts';
import { renderGenerateContentRequest } from './render-request.ts';

const base = (messages: CanonicalMessage[], extra: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'gemini-2.5-flash',
  system: [],
  messages,
  stream: false,
  ...extra,
});
const user = (text: string): CanonicalMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const call = (id: string, name: string, args = '{}'): CanonicalMessage => ({ role: 'assistant', content: [{ type: 'tool_call', id, name, arguments: args }] });

function formatError(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('renderGenerateContentRequest', () => {
  it('merges consecutive turns of one role and folds later system messages into systemInstruction', () => {
    const body = renderGenerateContentRequest(
      base([user('a'), user('b'), { role: 'system', content: [{ type: 'text', text: 'late rule' }] }, { role: 'assistant', content: [{ type: 'text', text: '' }] }], {
        system: [{ type: 'text', text: 'rule' }],
      }),
    );
    expect(body).toStrictEqual({
      systemInstruction: { parts: [{ text: 'rule' }, { text: 'late rule' }] },
      // The empty assistant text is not a part Gemini accepts, so that turn disappears.
      contents: [{ role: 'user', parts: [{ text: 'a' }, { text: 'b' }] }],
    });
  });

  it('renders tool results as functionResponses named after their calls', () => {
    const body = renderGenerateContentRequest(
      base([
        user('go'),
        call('c1', 'first'),
        { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'boom' }], isError: true }] },
        call('c1', 'second', ''),
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'c1',
              isError: true,
              content: [
                { type: 'text', text: '{"code":7}' },
                { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'QQ==' } },
              ],
            },
          ],
        },
      ]),
    );
    expect(body.contents).toStrictEqual([
      { role: 'user', parts: [{ text: 'go' }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'first', args: {} }, thoughtSignature: SKIP_SIGNATURE }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'first', response: { error: 'boom' } } }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'second', args: {} }, thoughtSignature: SKIP_SIGNATURE }] },
      {
        role: 'user',
        parts: [{ functionResponse: { id: 'c1', name: 'second', response: { error: { code: 7 } } } }, { inlineData: { mimeType: 'image/png', data: 'QQ==' } }],
      },
    ]);
  });

  it('puts signatures back on the part they came with, and adds the placeholder only where none came back', () => {
    const body = renderGenerateContentRequest(
      base([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'plan', signature: 'S1' },
            { type: 'thinking', text: '', signature: 'S2' },
            { type: 'tool_call', id: 'a', name: 'f', arguments: '{"x":1}' },
            { type: 'tool_call', id: 'b', name: 'f', arguments: '{"x":2}' },
            { type: 'thinking', text: '', signature: 'S3' },
          ],
        },
      ]),
    );
    expect(body.contents).toStrictEqual([
      { role: 'user', parts: [{ text: 'q' }] },
      {
        role: 'model',
        parts: [
          { text: 'plan', thought: true, thoughtSignature: 'S1' },
          { functionCall: { id: 'a', name: 'f', args: { x: 1 } }, thoughtSignature: 'S2' },
          { functionCall: { id: 'b', name: 'f', args: { x: 2 } } },
          { text: '', thoughtSignature: 'S3' },
        ],
      },
    ]);
  });

  it('treats an empty signature as none: no thoughtSignature "" is sent, and the calls still get the placeholder', () => {
    const body = renderGenerateContentRequest(
      base([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'plan', signature: '' },
            { type: 'thinking', text: '', signature: '' },
            { type: 'tool_call', id: 'a', name: 'f', arguments: '{}' },
          ],
        },
      ]),
    );
    expect(body.contents).toStrictEqual([
      { role: 'user', parts: [{ text: 'q' }] },
      { role: 'model', parts: [{ text: 'plan', thought: true }, { functionCall: { id: 'a', name: 'f', args: {} }, thoughtSignature: SKIP_SIGNATURE }] },
    ]);
  });

  it('sends images inline or as File API / Cloud Storage URIs, never as web URLs', () => {
    const image = (url: string): CanonicalRequest => base([{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url } }] }]);
    expect(renderGenerateContentRequest(image('https://generativelanguage.googleapis.com/v1beta/files/abc')).contents).toStrictEqual([
      { role: 'user', parts: [{ fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc' } }] },
    ]);
    expect(renderGenerateContentRequest(image('gs://bucket/cat.png')).contents).toStrictEqual([{ role: 'user', parts: [{ fileData: { fileUri: 'gs://bucket/cat.png' } }] }]);
    expect(renderGenerateContentRequest(image('data:image/gif;base64,R0lG')).contents).toStrictEqual([
      { role: 'user', parts: [{ inlineData: { mimeType: 'image/gif', data: 'R0lG' } }] },
    ]);
    expect(formatError(() => renderGenerateContentRequest(image('http://169.254.169.254/latest'))).message).toMatch(/not fetched/);
  });

  it('maps reasoning: budgets, efforts, and Gemini 3 levels when the client used one', () => {
    const thinking = (request: CanonicalRequest): unknown => (renderGenerateContentRequest(request).generationConfig as Record<string, unknown>).thinkingConfig;
    expect(thinking(base([user('x')], { reasoning: { budgetTokens: 3000 } }))).toStrictEqual({ thinkingBudget: 3000, includeThoughts: true });
    expect(thinking(base([user('x')], { reasoning: { effort: 'minimal' } }))).toStrictEqual({ thinkingBudget: 1024, includeThoughts: true });
    expect(
      thinking(base([user('x')], { reasoning: { effort: 'low' }, extensions: { gemini: { thinkingConfig: { includeThoughts: false, thinkingLevel: 'HIGH' } } } })),
    ).toStrictEqual({ includeThoughts: false, thinkingLevel: 'LOW' });
    expect(renderGenerateContentRequest(base([user('x')])).generationConfig).toBeUndefined();
  });

  it('refuses what Gemini cannot take', () => {
    expect(formatError(() => renderGenerateContentRequest(base([user('x')], { stop: ['1', '2', '3', '4', '5', '6'] }))).param).toBe('stop');
    expect(formatError(() => renderGenerateContentRequest(base([user('x'), call('c', 'f', '{"broken"')]))).message).toMatch(/not a JSON object/);
    expect(formatError(() => renderGenerateContentRequest(base([user('x'), call('c', 'f', '[1]')]))).message).toMatch(/not a JSON object/);
    expect(formatError(() => renderGenerateContentRequest(base([])))).toMatchObject({ param: 'messages' });
  });

  it('renders countTokens as a whole generateContentRequest, so instructions and tools are counted', () => {
    const request = base([user('count me')], { system: [{ type: 'text', text: 'sys' }], tools: [{ name: 'f', parameters: { type: 'object' } }] });
    expect(renderCountTokensRequest({ ...request, model: 'models/gemini-2.5-flash' })).toStrictEqual({
      generateContentRequest: {
        model: 'models/gemini-2.5-flash',
        systemInstruction: { parts: [{ text: 'sys' }] },
        contents: [{ role: 'user', parts: [{ text: 'count me' }] }],
        tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }],
      },
    });
  });

  it('round-trips alternating text conversations and sampling settings (parse, then render)', () => {
    const text = fc.string({ minLength: 1, maxLength: 20 });
    const conversation = fc
      .array(fc.array(text, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 })
      .map((turns) => turns.map((texts, i) => ({ role: i % 2 === 0 ? 'user' : 'model', parts: texts.map((t) => ({ text: t })) })));
    const config = fc.record(
      {
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        topP: fc.double({ min: 0, max: 1, noNaN: true }),
        topK: fc.integer({ min: 1, max: 100 }),
        maxOutputTokens: fc.integer({ min: 1, max: 100_000 }),
        stopSequences: fc.array(text, { maxLength: 5 }),
        seed: fc.integer(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(conversation, config, (contents, generationConfig) => {
        const body = Object.keys(generationConfig).length > 0 ? { contents, generationConfig } : { contents };
        expect(renderGenerateContentRequest(parseGenerateContentRequest(body, { model: 'm' }))).toEqual(body);
      }),
      { numRuns: 200 },
    );
  });
});
