import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest } from '../canonical/types.ts';
import { parseCountTokensRequest } from './count-tokens.ts';
import { parseGenerateContentRequest } from './parse-request.ts';

const ctx = { model: 'gemini-2.5-flash', stream: false };
const hi = { role: 'user', parts: [{ text: 'Hi' }] };

function paramOf(body: unknown, context: { model?: string; stream?: boolean } = ctx): string | null {
  try {
    parseGenerateContentRequest(body, context);
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('parseGenerateContentRequest', () => {
  it('parses a minimal request, model and streaming from the URL', () => {
    expect(parseGenerateContentRequest({ contents: [hi] }, { model: 'models/gemini-2.5-pro', stream: true })).toStrictEqual({
      model: 'gemini-2.5-pro',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: true,
    } satisfies CanonicalRequest);
  });

  it('maps every canonical field and keeps Gemini-only ones in extensions.gemini', () => {
    const request = parseGenerateContentRequest(
      {
        contents: [hi],
        systemInstruction: { role: 'system', parts: [{ text: 'A' }, { text: 'B' }] },
        generationConfig: {
          temperature: 0.4,
          topP: 0.5,
          topK: 20,
          maxOutputTokens: 99,
          candidateCount: 1,
          stopSequences: ['x'],
          responseMimeType: 'application/json',
          seed: 3,
          responseModalities: ['TEXT'],
          thinkingConfig: { thinkingBudget: -1, includeThoughts: true },
        },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'OFF' }],
        cachedContent: 'cachedContents/abc',
        tools: [{ codeExecution: {} }, { functionDeclarations: [{ name: 'f' }] }],
        toolConfig: { functionCallingConfig: { mode: 'AUTO' }, retrievalConfig: { languageCode: 'en' } },
      },
      ctx,
    );
    expect(request).toStrictEqual({
      model: 'gemini-2.5-flash',
      system: [
        { type: 'text', text: 'A' },
        { type: 'text', text: 'B' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
      temperature: 0.4,
      topP: 0.5,
      topK: 20,
      maxTokens: 99,
      stop: ['x'],
      responseFormat: { type: 'json_object' },
      tools: [{ name: 'f', parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'auto' },
      extensions: {
        gemini: {
          tools: [{ codeExecution: {} }],
          toolConfig: { retrievalConfig: { languageCode: 'en' } },
          thinkingConfig: { includeThoughts: true, thinkingBudget: -1 },
          generationConfig: { seed: 3, responseModalities: ['TEXT'] },
          safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'OFF' }],
          cachedContent: 'cachedContents/abc',
        },
      },
    } satisfies CanonicalRequest);
  });

  it('reads snake_case field names as their camelCase equivalents, and refuses both at once', () => {
    const snake = parseGenerateContentRequest(
      { contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/webp', data: 'AAAA' } }] }], generation_config: { top_k: 3 } },
      ctx,
    );
    expect(snake.topK).toBe(3);
    expect(snake.messages[0]?.content).toStrictEqual([{ type: 'image', source: { kind: 'base64', mediaType: 'image/webp', data: 'AAAA' } }]);
    expect(paramOf({ contents: [hi], generationConfig: {}, generation_config: {} })).toBe('generationConfig');
  });

  it('pairs function responses with their calls: by id when given, else by name and order', () => {
    const request = parseGenerateContentRequest(
      {
        contents: [
          hi,
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'a', args: { n: 1 } } },
              { functionCall: { id: 'given', name: 'b' } },
              { functionCall: { name: 'a', args: { n: 2 } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'a', response: { r: 1 } } },
              { functionResponse: { name: 'b', response: {} } },
              { functionResponse: { name: 'a', response: { r: 2 } } },
              { text: 'thanks' },
            ],
          },
        ],
      },
      ctx,
    );
    expect(request.messages.slice(1)).toStrictEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_call', id: 'call_1_0', name: 'a', arguments: '{"n":1}' },
          { type: 'tool_call', id: 'given', name: 'b', arguments: '{}' },
          { type: 'tool_call', id: 'call_1_2', name: 'a', arguments: '{"n":2}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool_result', toolCallId: 'call_1_0', content: [{ type: 'text', text: '{"r":1}' }] },
          { type: 'tool_result', toolCallId: 'given', content: [{ type: 'text', text: '{}' }] },
          { type: 'tool_result', toolCallId: 'call_1_2', content: [{ type: 'text', text: '{"r":2}' }] },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }] },
    ]);
  });

  it('marks error responses, and carries images of multimodal function responses', () => {
    const request = parseGenerateContentRequest(
      {
        contents: [
          hi,
          { role: 'model', parts: [{ functionCall: { id: 'c', name: 'shot' } }] },
          {
            role: 'user',
            parts: [{ functionResponse: { id: 'c', name: 'shot', response: { error: 'denied' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'QQ==' } }] } }],
          },
        ],
      },
      ctx,
    );
    expect(request.messages[2]).toStrictEqual({
      role: 'tool',
      content: [
        {
          type: 'tool_result',
          toolCallId: 'c',
          isError: true,
          content: [
            { type: 'text', text: '{"error":"denied"}' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'QQ==' } },
          ],
        },
      ],
    });
  });

  it('keeps thought signatures: on thoughts, and on other parts as an empty thinking part before them', () => {
    const request = parseGenerateContentRequest(
      {
        contents: [
          hi,
          {
            role: 'model',
            parts: [
              { text: 'musing', thought: true, thoughtSignature: 'AA==' },
              { text: 'answer', thoughtSignature: 'BB==' },
              { functionCall: { id: 'f', name: 'g', args: {} }, thoughtSignature: 'CC==' },
              { text: '', thoughtSignature: 'DD==' },
            ],
          },
        ],
      },
      ctx,
    );
    expect(request.messages[1]?.content).toStrictEqual([
      { type: 'thinking', text: 'musing', signature: 'AA==' },
      { type: 'thinking', text: '', signature: 'BB==' },
      { type: 'text', text: 'answer' },
      { type: 'thinking', text: '', signature: 'CC==' },
      { type: 'tool_call', id: 'f', name: 'g', arguments: '{}' },
      { type: 'thinking', text: '', signature: 'DD==' },
    ]);
  });

  it('maps tool configs and thinking levels', () => {
    const tools = [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }];
    const some = parseGenerateContentRequest({ contents: [hi], tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'c'] } } }, ctx);
    expect(some.toolChoice).toStrictEqual({ type: 'required' });
    expect(some.tools?.map((tool) => tool.name)).toStrictEqual(['a', 'c']);
    const none = parseGenerateContentRequest({ contents: [hi], tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } }, ctx);
    expect(none.toolChoice).toStrictEqual({ type: 'none' });
    // Without declared functions a choice constrains nothing.
    expect(parseGenerateContentRequest({ contents: [hi], toolConfig: { functionCallingConfig: { mode: 'ANY' } } }, ctx).toolChoice).toBeUndefined();

    const level = parseGenerateContentRequest({ contents: [hi], generationConfig: { thinkingConfig: { thinkingLevel: 'medium' } } }, ctx);
    expect(level.reasoning).toStrictEqual({ effort: 'medium' });
    expect(level.extensions?.gemini?.thinkingConfig).toStrictEqual({ includeThoughts: false, thinkingLevel: 'MEDIUM' });
  });

  it('maps response schemas to JSON Schema response formats', () => {
    const openApi = parseGenerateContentRequest(
      { contents: [hi], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'ARRAY', items: { type: 'NUMBER' }, example: [1] } } },
      ctx,
    );
    expect(openApi.responseFormat).toStrictEqual({ type: 'json_schema', name: 'response', schema: { type: 'array', items: { type: 'number' }, examples: [[1]] } });
    expect(parseGenerateContentRequest({ contents: [hi], generationConfig: { responseMimeType: 'text/plain' } }, ctx).responseFormat).toStrictEqual({ type: 'text' });
  });

  it.each([
    ['no model in the context', { contents: [hi] }, 'model', {}],
    ['a body model differing from the URL', { model: 'models/other', contents: [hi] }, 'model', ctx],
    ['a non-object body', [1], null, ctx],
    ['missing contents', {}, 'contents', ctx],
    ['empty contents', { contents: [] }, 'contents', ctx],
    ['empty parts', { contents: [{ role: 'user', parts: [] }] }, 'contents[0].parts', ctx],
    ['an unknown role', { contents: [{ role: 'system', parts: [{ text: 'x' }] }] }, 'contents[0].role', ctx],
    ['an unknown top-level field', { contents: [hi], stream: true }, 'stream', ctx],
    ['an unknown part field', { contents: [{ parts: [{ text: 'x', mystery: 1 }] }] }, 'contents[0].parts[0].mystery', ctx],
    ['two data fields in one part', { contents: [{ parts: [{ text: 'x', inlineData: { mimeType: 'image/png', data: 'A' } }] }] }, 'contents[0].parts[0]', ctx],
    ['non-image inline data', { contents: [{ parts: [{ inlineData: { mimeType: 'audio/wav', data: 'A' } }] }] }, 'contents[0].parts[0].inlineData.mimeType', ctx],
    ['a PDF file', { contents: [{ parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'gs://b/f.pdf' } }] }] }, 'contents[0].parts[0].fileData.mimeType', ctx],
    ['fileData without a MIME type', { contents: [{ parts: [{ fileData: { fileUri: 'gs://b/f' } }] }] }, 'contents[0].parts[0].fileData.mimeType', ctx],
    ['executable code', { contents: [{ role: 'model', parts: [{ executableCode: { code: '1' } }] }] }, 'contents[0].parts[0].executableCode', ctx],
    ['a function call in a user turn', { contents: [{ parts: [{ functionCall: { name: 'f' } }] }] }, 'contents[0].parts[0].functionCall', ctx],
    ['a thought in a user turn', { contents: [{ parts: [{ text: 'x', thought: true }] }] }, 'contents[0].parts[0].thought', ctx],
    ['non-object args', { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: [1] } }] }] }, 'contents[0].parts[0].functionCall.args', ctx],
    [
      'an unanswerable function response',
      { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f' } }] }, { parts: [{ functionResponse: { name: 'g', response: {} } }] }] },
      'contents[1].parts[0].functionResponse.name',
      ctx,
    ],
    ['candidateCount 2', { contents: [hi], generationConfig: { candidateCount: 2 } }, 'generationConfig.candidateCount', ctx],
    ['six stop sequences', { contents: [hi], generationConfig: { stopSequences: ['1', '2', '3', '4', '5', '6'] } }, 'generationConfig.stopSequences', ctx],
    ['temperature 3', { contents: [hi], generationConfig: { temperature: 3 } }, 'generationConfig.temperature', ctx],
    ['a schema without JSON mode', { contents: [hi], generationConfig: { responseSchema: { type: 'STRING' } } }, 'generationConfig.responseMimeType', ctx],
    ['an enum MIME type', { contents: [hi], generationConfig: { responseMimeType: 'text/x.enum' } }, 'generationConfig.responseMimeType', ctx],
    ['a bad schema type', { contents: [hi], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'DATE' } } }, 'generationConfig.responseSchema.type', ctx],
    [
      'budget and level together',
      { contents: [hi], generationConfig: { thinkingConfig: { thinkingBudget: 100, thinkingLevel: 'LOW' } } },
      'generationConfig.thinkingConfig.thinkingLevel',
      ctx,
    ],
    ['an unknown built-in tool', { contents: [hi], tools: [{ webBrowser: {} }] }, 'tools[0].webBrowser', ctx],
    ['an invalid function name', { contents: [hi], tools: [{ functionDeclarations: [{ name: '1abc' }] }] }, 'tools[0].functionDeclarations[0].name', ctx],
    [
      'allowed names outside ANY',
      { contents: [hi], tools: [{ functionDeclarations: [{ name: 'f' }] }], toolConfig: { functionCallingConfig: { mode: 'AUTO', allowedFunctionNames: ['f'] } } },
      'toolConfig.functionCallingConfig.allowedFunctionNames',
      ctx,
    ],
    [
      'an allowed name that is not declared',
      { contents: [hi], tools: [{ functionDeclarations: [{ name: 'f' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['g'] } } },
      'toolConfig.functionCallingConfig.allowedFunctionNames[0]',
      ctx,
    ],
  ])('refuses %s', (_name, body, param, context) => {
    expect(paramOf(body, context)).toBe(param);
  });

  it('never echoes arbitrary values in error messages', () => {
    try {
      parseGenerateContentRequest({ contents: [{ role: 'secret sk-live-123 value', parts: [{ text: 'x' }] }] }, ctx);
      throw new Error('expected a FormatError');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).message).not.toContain('sk-live');
    }
  });

  it('throws only FormatError on arbitrary JSON', () => {
    const part = fc.oneof(
      fc.record({ text: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
      fc.record({ functionCall: fc.record({ name: fc.string(), args: fc.jsonValue() }, { requiredKeys: [] }) }),
      fc.record({ functionResponse: fc.record({ name: fc.string(), response: fc.jsonValue() }, { requiredKeys: [] }) }),
      fc.record({ inlineData: fc.record({ mimeType: fc.constantFrom('image/png', 'audio/x'), data: fc.string() }) }),
      fc.jsonValue(),
    );
    const content = fc.record({ role: fc.constantFrom('user', 'model', 'x', undefined), parts: fc.array(part, { maxLength: 4 }) }, { requiredKeys: [] });
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          contents: fc.array(content, { maxLength: 4 }),
          generationConfig: fc.dictionary(fc.constantFrom('temperature', 'topK', 'thinkingConfig', 'responseSchema', 'stop_sequences'), fc.jsonValue()),
          tools: fc.array(fc.record({ functionDeclarations: fc.array(fc.record({ name: fc.string(), parameters: fc.jsonValue() })) })),
          toolConfig: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          parseGenerateContentRequest(value, ctx);
          parseCountTokensRequest(value, ctx);
        } catch (error) {
          if (!(error instanceof FormatError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });
});
