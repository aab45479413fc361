// POST /v1/embeddings (openai-node's EmbeddingCreateParams / CreateEmbeddingResponse): deterministic vectors,
// `float` or `base64` encoding (the SDK asks for base64 unless told otherwise), `dimensions`, token usage.
import type { MockContext, Route } from './context.ts';
import { DEFAULT_EMBEDDING_DIMENSIONS, MAX_EMBEDDING_DIMENSIONS, embeddingVector, float32Base64 } from './embeddings.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import { isInteger, isRecord, show } from './json.ts';
import type { OpenAIError } from './openai-errors.ts';
import { invalidFaultSpec, invalidType, missingParameter, modelNotFound, openaiError, rateLimitHeaders, unparsableBody } from './openai-errors.ts';
import { checkBearer, openaiFaultRenderer, sendOpenAIError, sendOpenAIJson } from './openai-http.ts';
import { MISSING_MODEL, countTokens, stripDirectives } from './reply.ts';

/** One input: its text (directives removed) for the vector, and its token count for usage. */
interface EmbeddingInput {
  text: string;
  tokens: number;
}

interface EmbeddingRequest {
  model: string;
  inputs: EmbeddingInput[];
  base64: boolean;
  dimensions: number;
}

const MAX_INPUTS = 2048;

// OpenAI answers every malformed `input` with this one message.
const badInput = (): OpenAIError => openaiError(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");

function isTokenArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((token) => isInteger(token) && token >= 0);
}

function parseInputs(input: unknown): EmbeddingInput[] | OpenAIError {
  if (input === undefined || input === null) return missingParameter('input');
  const fromText = (text: string): EmbeddingInput => ({ text: stripDirectives(text), tokens: countTokens(text) });
  // Token ids have no text; their JSON stands in for it, so equal token arrays still get equal vectors.
  const fromTokens = (tokens: number[]): EmbeddingInput => ({ text: JSON.stringify(tokens), tokens: tokens.length });
  if (typeof input === 'string') return input === '' ? badInput() : [fromText(input)];
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) return badInput();
  if (isTokenArray(input)) return [fromTokens(input)];
  const inputs: EmbeddingInput[] = [];
  for (const item of input as unknown[]) {
    if (typeof item === 'string' && item !== '') inputs.push(fromText(item));
    else if (isTokenArray(item)) inputs.push(fromTokens(item));
    else return badInput();
  }
  return inputs;
}

function isError(value: unknown): value is OpenAIError {
  return isRecord(value) && typeof value['status'] === 'number' && isRecord(value['error']);
}

function parseEmbeddingRequest(body: unknown): EmbeddingRequest | OpenAIError {
  if (!isRecord(body)) return openaiError(400, 'Invalid type for request body: expected an object.', { code: 'invalid_type' });
  const model = body['model'];
  if (model === undefined) return missingParameter('model');
  if (typeof model !== 'string') return invalidType('model', 'a string', model);
  const inputs = parseInputs(body['input']);
  if (isError(inputs)) return inputs;
  const format = body['encoding_format'] ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return openaiError(400, `Invalid value: '${show(format)}'. Supported values are: 'float' and 'base64'.`, { param: 'encoding_format', code: 'invalid_value' });
  }
  const dimensions = body['dimensions'];
  if (dimensions === undefined || dimensions === null) return { model, inputs, base64: format === 'base64', dimensions: DEFAULT_EMBEDDING_DIMENSIONS };
  if (!isInteger(dimensions)) return invalidType('dimensions', 'an integer', dimensions);
  // The v2 model has a fixed size; OpenAI refuses `dimensions` for it outright.
  if (model.startsWith('text-embedding-ada-002')) return openaiError(400, 'This model does not support specifying dimensions.');
  if (dimensions < 1 || dimensions > MAX_EMBEDDING_DIMENSIONS) {
    return openaiError(400, `Invalid 'dimensions': expected a value between 1 and ${MAX_EMBEDDING_DIMENSIONS}, but got ${dimensions} instead.`, {
      param: 'dimensions',
      code: 'invalid_value',
    });
  }
  return { model, inputs, base64: format === 'base64', dimensions };
}

/** Text of the last string input of an unvalidated body, where `[mock:…]` directives are looked for. */
function lastInputText(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const input = body['input'];
  if (typeof input === 'string') return input;
  return Array.isArray(input) ? [...(input as unknown[])].reverse().find((item): item is string => typeof item === 'string') : undefined;
}

async function handleEmbeddings(ctx: MockContext, apiKey: string | undefined): Promise<void> {
  if (!checkBearer(ctx, apiKey)) return;
  if (ctx.body.kind !== 'json') {
    sendOpenAIError(ctx, unparsableBody());
    return;
  }
  const body = ctx.body.value;
  const faults = resolveFaults(ctx.req.headers[FAULT_HEADER], lastInputText(body), requestCredential(ctx.req));
  if (!faults.ok) {
    sendOpenAIError(ctx, invalidFaultSpec(faults.item, faults.reason));
    return;
  }
  const request = parseEmbeddingRequest(body);
  if (isError(request)) {
    sendOpenAIError(ctx, request);
    return;
  }
  if (request.model === MISSING_MODEL) {
    sendOpenAIError(ctx, modelNotFound(request.model));
    return;
  }
  if (await applyPreResponseFaults(ctx, faults.faults, false, openaiFaultRenderer(request.model))) return;
  let tokens = 0;
  const data = request.inputs.map((input, index) => {
    tokens += input.tokens;
    const vector = embeddingVector(input.text, request.dimensions);
    return { object: 'embedding', index, embedding: request.base64 ? float32Base64(vector) : vector };
  });
  const usage = { prompt_tokens: tokens, total_tokens: tokens };
  sendOpenAIJson(ctx, { object: 'list', data, model: request.model, usage }, rateLimitHeaders(false));
}

/** The embeddings route; `apiKey` as in MockUpstreamOptions. */
export function openaiEmbeddingsRoute(apiKey: string | undefined): Route {
  return { method: 'POST', pattern: /^\/v1\/embeddings$/, handle: (ctx) => handleEmbeddings(ctx, apiKey) };
}
