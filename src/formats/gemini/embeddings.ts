/**
 * `embedContent` and `batchEmbedContents` (ai.google.dev/api/embeddings), both sides. Rampart always calls the
 * batch method upstream (one call for any number of inputs) and answers a client in the shape it asked for.
 */
import type { ClientRequestContext } from '../canonical/codec.ts';
import type { CanonicalEmbeddingRequest, CanonicalEmbeddingResponse } from '../canonical/types.ts';
import { modelId } from './parse-request.ts';
import {
  expectArray,
  expectCount,
  expectInteger,
  expectNonEmptyString,
  expectRecord,
  expectString,
  fail,
  isAbsent,
  isRecord,
  join,
  readFields,
} from './wire-checks.ts';

const EMBED_FIELDS = new Set(['model', 'content', 'taskType', 'title', 'outputDimensionality']);
const CONTENT_FIELDS = new Set(['role', 'parts']);

interface ParsedEmbed {
  text: string;
  taskType?: string;
  dimensions?: number;
}

function urlModel(context: ClientRequestContext): string {
  const model = modelId(expectNonEmptyString(context.model, 'model'));
  if (model.length === 0) fail('The model name must not be empty', 'model');
  return model;
}

/**
 * One EmbedContentRequest. Its content's text parts are embedded as one text (joined by newlines), as a single
 * Content gives a single vector. `title` (only for RETRIEVAL_DOCUMENT) changes the vector and has no counterpart
 * elsewhere, so it is refused rather than silently dropped.
 */
function parseEmbed(value: unknown, param: string, model: string): ParsedEmbed {
  const request = readFields(value, param, EMBED_FIELDS);
  if (!isAbsent(request.model) && modelId(expectString(request.model, join(param, 'model'))) !== model) {
    fail('The model of each request must be the model of the URL', join(param, 'model'));
  }
  if (!isAbsent(request.title)) fail('title is not supported', join(param, 'title'));
  const contentParam = join(param, 'content');
  const content = readFields(request.content, contentParam, CONTENT_FIELDS);
  const parts = expectArray(content.parts, join(contentParam, 'parts'));
  if (parts.length === 0) fail('parts must not be empty', join(contentParam, 'parts'));
  const texts = parts.map((part, j) => {
    const partParam = `${join(contentParam, 'parts')}[${j}]`;
    if (!isRecord(part) || typeof part.text !== 'string') fail('Only text parts can be embedded', partParam);
    return part.text;
  });
  const parsed: ParsedEmbed = { text: texts.join('\n') };
  if (!isAbsent(request.taskType)) parsed.taskType = expectString(request.taskType, join(param, 'taskType'));
  if (!isAbsent(request.outputDimensionality)) parsed.dimensions = expectInteger(request.outputDimensionality, join(param, 'outputDimensionality'), 1);
  return parsed;
}

function toCanonical(model: string, parsed: ParsedEmbed[]): CanonicalEmbeddingRequest {
  const request: CanonicalEmbeddingRequest = { model, inputs: parsed.map((item) => item.text) };
  const first = parsed[0];
  if (first?.taskType !== undefined) request.taskType = first.taskType;
  if (first?.dimensions !== undefined) request.dimensions = first.dimensions;
  return request;
}

/** Parse a client's `:embedContent` body (model from the URL). */
export function parseEmbedContentRequest(body: unknown, context: ClientRequestContext = {}): CanonicalEmbeddingRequest {
  const model = urlModel(context);
  return toCanonical(model, [parseEmbed(body, '', model)]);
}

/**
 * Parse a client's `:batchEmbedContents` body. The canonical request has one task type and one dimension for all
 * inputs, so requests that differ in them are refused (the client can split the batch).
 */
export function parseBatchEmbedContentsRequest(body: unknown, context: ClientRequestContext = {}): CanonicalEmbeddingRequest {
  const model = urlModel(context);
  const fields = readFields(body, '', new Set(['requests']));
  const list = expectArray(fields.requests, 'requests');
  if (list.length === 0) fail('requests must not be empty', 'requests');
  const parsed = list.map((item, i) => parseEmbed(item, `requests[${i}]`, model));
  const first = parsed[0];
  for (let i = 1; i < parsed.length; i++) {
    const item = parsed[i];
    if (item?.taskType !== first?.taskType) fail('Every request of a batch must have the same taskType', `requests[${i}].taskType`);
    if (item?.dimensions !== first?.dimensions) fail('Every request of a batch must have the same outputDimensionality', `requests[${i}].outputDimensionality`);
  }
  return toCanonical(model, parsed);
}

/** Render an EmbedContentResponse: the first (only) vector. */
export function renderEmbedContentResponse(response: CanonicalEmbeddingResponse): { embedding: { values: number[] } } {
  return { embedding: { values: response.embeddings[0] ?? [] } };
}

/** Render a BatchEmbedContentsResponse, one ContentEmbedding per input in order. */
export function renderBatchEmbedContentsResponse(response: CanonicalEmbeddingResponse): { embeddings: { values: number[] }[] } {
  return { embeddings: response.embeddings.map((values) => ({ values })) };
}

/** The body of an upstream `:batchEmbedContents` call; each request names the model, as the API requires. */
export function renderBatchEmbedContentsRequest(request: CanonicalEmbeddingRequest, model: string): Record<string, unknown> {
  const name = `models/${modelId(model)}`;
  return {
    requests: request.inputs.map((text) => {
      const item: Record<string, unknown> = { model: name, content: { parts: [{ text }] } };
      if (request.taskType !== undefined) item.taskType = request.taskType;
      if (request.dimensions !== undefined) item.outputDimensionality = request.dimensions;
      return item;
    }),
  };
}

/** Parse an upstream BatchEmbedContentsResponse. */
export function parseBatchEmbedContentsResponse(body: unknown, model: string): CanonicalEmbeddingResponse {
  const response = expectRecord(body, 'batchEmbedContentsResponse');
  const list = expectArray(response.embeddings, 'embeddings');
  const embeddings = list.map((item, i) => {
    const values = expectArray(expectRecord(item, `embeddings[${i}]`).values, `embeddings[${i}].values`);
    for (let k = 0; k < values.length; k++) {
      if (typeof values[k] !== 'number') fail('Embedding values must be numbers', `embeddings[${i}].values[${k}]`);
    }
    return values as number[];
  });
  const result: CanonicalEmbeddingResponse = { model: modelId(model), embeddings };
  // Newer embedding models report usage; older ones do not.
  const usage = response.usageMetadata;
  if (isRecord(usage) && !isAbsent(usage.promptTokenCount)) result.usage = { inputTokens: expectCount(usage.promptTokenCount, 'usageMetadata.promptTokenCount') };
  return result;
}
