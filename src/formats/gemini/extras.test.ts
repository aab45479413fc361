import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import { parseCountTokensRequest, parseCountTokensResponse, renderCountTokensResponse } from './count-tokens.ts';
import {
  parseBatchEmbedContentsRequest,
  parseBatchEmbedContentsResponse,
  parseEmbedContentRequest,
  renderBatchEmbedContentsRequest,
  renderBatchEmbedContentsResponse,
  renderEmbedContentResponse,
} from './embeddings.ts';
import { renderGeminiError } from './mappings.ts';
import { renderModelList } from './models.ts';
import { schemaToJsonSchema } from './schema.ts';

const ctx = { model: 'models/text-embedding-004' };

function paramOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    if (error instanceof FormatError) return error.param;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('countTokens', () => {
  it('parses plain contents or a whole generateContentRequest', () => {
    expect(parseCountTokensRequest({ contents: [{ parts: [{ text: 'a' }] }] }, { model: 'gemini-2.5-flash' })).toStrictEqual({
      model: 'gemini-2.5-flash',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }],
      stream: false,
    });
    const full = parseCountTokensRequest(
      { generateContentRequest: { model: 'models/gemini-2.5-flash', systemInstruction: { parts: [{ text: 's' }] }, contents: [{ parts: [{ text: 'a' }] }] } },
      { model: 'gemini-2.5-flash', stream: true },
    );
    expect(full.system).toStrictEqual([{ type: 'text', text: 's' }]);
    expect(full.stream).toBe(false);
  });

  it('names the nested field when the generateContentRequest is wrong', () => {
    const context = { model: 'gemini-2.5-flash' };
    expect(paramOf(() => parseCountTokensRequest({}, context))).toBe('contents');
    expect(paramOf(() => parseCountTokensRequest({ contents: [], generateContentRequest: {} }, context))).toBe('generateContentRequest');
    expect(paramOf(() => parseCountTokensRequest({ generateContentRequest: { model: 'models/other', contents: [] } }, context))).toBe('generateContentRequest.model');
    expect(paramOf(() => parseCountTokensRequest({ generateContentRequest: { contents: [{ parts: [] }] } }, context))).toBe('generateContentRequest.contents[0].parts');
  });

  it('renders and parses the count', () => {
    expect(renderCountTokensResponse({ inputTokens: 31 })).toStrictEqual({ totalTokens: 31 });
    expect(parseCountTokensResponse({ totalTokens: 31, cachedContentTokenCount: 3 })).toStrictEqual({ inputTokens: 31 });
    // proto3 JSON omits zero values.
    expect(parseCountTokensResponse({})).toStrictEqual({ inputTokens: 0 });
    expect(paramOf(() => parseCountTokensResponse({ totalTokens: 'many' }))).toBe('totalTokens');
  });
});

describe('embeddings', () => {
  it('parses embedContent and batchEmbedContents', () => {
    expect(
      parseEmbedContentRequest({ content: { parts: [{ text: 'a' }, { text: 'b' }] }, task_type: 'CLUSTERING', outputDimensionality: 256 }, ctx),
    ).toStrictEqual({ model: 'text-embedding-004', inputs: ['a\nb'], taskType: 'CLUSTERING', dimensions: 256 });
    expect(
      parseBatchEmbedContentsRequest(
        {
          requests: [
            { model: 'models/text-embedding-004', content: { parts: [{ text: 'x' }] } },
            { model: 'models/text-embedding-004', content: { role: 'user', parts: [{ text: 'y' }] } },
          ],
        },
        ctx,
      ),
    ).toStrictEqual({ model: 'text-embedding-004', inputs: ['x', 'y'] });
  });

  it.each([
    ['a title', () => parseEmbedContentRequest({ content: { parts: [{ text: 'a' }] }, title: 'Doc' }, ctx), 'title'],
    ['an image part', () => parseEmbedContentRequest({ content: { parts: [{ inlineData: { mimeType: 'image/png', data: 'A' } }] } }, ctx), 'content.parts[0]'],
    ['another model', () => parseBatchEmbedContentsRequest({ requests: [{ model: 'models/x', content: { parts: [{ text: 'a' }] } }] }, ctx), 'requests[0].model'],
    [
      'mixed task types',
      () =>
        parseBatchEmbedContentsRequest(
          { requests: [{ content: { parts: [{ text: 'a' }] }, taskType: 'RETRIEVAL_QUERY' }, { content: { parts: [{ text: 'b' }] }, taskType: 'RETRIEVAL_DOCUMENT' }] },
          ctx,
        ),
      'requests[1].taskType',
    ],
    ['an empty batch', () => parseBatchEmbedContentsRequest({ requests: [] }, ctx), 'requests'],
    ['no model', () => parseEmbedContentRequest({ content: { parts: [{ text: 'a' }] } }, {}), 'model'],
  ])('refuses %s', (_name, run, param) => {
    expect(paramOf(run)).toBe(param);
  });

  it('renders both response shapes and the upstream batch request, and parses the upstream answer', () => {
    const response = { model: 'text-embedding-004', embeddings: [[1, 2], [3, 4]] };
    expect(renderEmbedContentResponse(response)).toStrictEqual({ embedding: { values: [1, 2] } });
    expect(renderBatchEmbedContentsResponse(response)).toStrictEqual({ embeddings: [{ values: [1, 2] }, { values: [3, 4] }] });
    expect(renderBatchEmbedContentsRequest({ model: 'text-embedding-004', inputs: ['a', 'b'], taskType: 'RETRIEVAL_QUERY', dimensions: 8 }, 'text-embedding-004')).toStrictEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 8 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 8 },
      ],
    });
    expect(parseBatchEmbedContentsResponse({ embeddings: [{ values: [0.5] }], usageMetadata: { promptTokenCount: 2 } }, 'models/gemini-embedding-001')).toStrictEqual({
      model: 'gemini-embedding-001',
      embeddings: [[0.5]],
      usage: { inputTokens: 2 },
    });
    expect(paramOf(() => parseBatchEmbedContentsResponse({ embeddings: [{ values: ['x'] }] }, 'm'))).toBe('embeddings[0].values[0]');
  });
});

describe('model list and errors', () => {
  it('lists models as Gemini Model resources', () => {
    expect(
      renderModelList([
        { id: 'gemini-2.5-pro', ownedBy: 'google', created: 0 },
        { id: 'text-embedding-004', ownedBy: 'google', created: 0, displayName: 'Embedding 004' },
      ]),
    ).toStrictEqual({
      models: [
        {
          name: 'models/gemini-2.5-pro',
          version: '001',
          displayName: 'gemini-2.5-pro',
          description: 'gemini-2.5-pro, served through Rampart by provider google.',
          inputTokenLimit: 1_048_576,
          outputTokenLimit: 65_536,
          supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
        },
        {
          name: 'models/text-embedding-004',
          version: '001',
          displayName: 'Embedding 004',
          description: 'Embedding 004, served through Rampart by provider google.',
          inputTokenLimit: 2048,
          outputTokenLimit: 1,
          supportedGenerationMethods: ['embedContent', 'batchEmbedContents'],
        },
      ],
    });
  });

  it('renders google.rpc.Status error bodies', () => {
    expect(renderGeminiError(429, 'RESOURCE_EXHAUSTED', 'Slow down')).toStrictEqual({ error: { code: 429, message: 'Slow down', status: 'RESOURCE_EXHAUSTED' } });
  });
});

describe('schemaToJsonSchema', () => {
  it('converts Gemini OpenAPI schemas to JSON Schema', () => {
    // Parsed from text, as wire data is: a parameter literally named "__proto__" must stay a plain property.
    const input: unknown = JSON.parse(`{
      "type": "OBJECT",
      "nullable": true,
      "properties": {
        "__proto__": { "type": "STRING" },
        "tags": { "type": "ARRAY", "items": { "type": "STRING", "format": "enum", "enum": ["a"] }, "min_items": "1" },
        "value": { "any_of": [{ "type": "INTEGER" }, { "type": "NULL" }] }
      },
      "property_ordering": ["tags", "value"]
    }`);
    const converted = schemaToJsonSchema(input, 'p');
    expect(converted).toStrictEqual(
      JSON.parse(`{
        "type": ["object", "null"],
        "properties": {
          "__proto__": { "type": "string" },
          "tags": { "type": "array", "minItems": 1, "items": { "type": "string", "format": "enum", "enum": ["a"] } },
          "value": { "anyOf": [{ "type": "integer" }, { "type": "null" }] }
        }
      }`),
    );
    expect(Object.getPrototypeOf(converted.properties)).toBe(Object.prototype);
  });

  it('refuses unknown keywords and bad counts', () => {
    expect(paramOf(() => schemaToJsonSchema({ type: 'OBJECT', additionalProperties: false }, 'p'))).toBe('p.additionalProperties');
    expect(paramOf(() => schemaToJsonSchema({ type: 'STRING', maxLength: '-1' }, 'p'))).toBe('p.maxLength');
  });
});
