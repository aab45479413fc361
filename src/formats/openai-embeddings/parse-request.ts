/**
 * Client's OpenAI embeddings request (`POST /v1/embeddings`) → CanonicalEmbeddingRequest.
 * Wire shape: API reference, "Create embeddings" (EmbeddingCreateParams in openai-node `src/resources/embeddings.ts`).
 * `null` is accepted wherever OpenAI accepts it and means "not set".
 */
import type { CanonicalEmbeddingRequest } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { expectInteger, expectNonEmptyString, expectString, fail, isRecord, typeName, wireName } from '../openai-chat/wire-checks.ts';

/** OpenAI: "any array must be 2048 dimensions or less". */
export const MAX_EMBEDDING_INPUTS = 2048;

const FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format', 'user']);

const TOKEN_ARRAYS =
  'Token arrays are not supported: this gateway translates across providers, which cannot read another tokenizer\'s ids; send the text instead';

/** Parse and validate a client's embeddings body; throws FormatError (with the OpenAI param path) on bad input. */
export function parseEmbeddingsRequest(body: unknown): CanonicalEmbeddingRequest {
  if (!isRecord(body)) fail(`The request body must be a JSON object, got ${typeName(body)}`, null);
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) fail(`Unrecognized request argument supplied: ${wireName(key)}`, key.slice(0, 64));
  }
  const request: CanonicalEmbeddingRequest = { model: expectNonEmptyString(body.model, 'model'), inputs: parseInputs(body.input) };
  if (!isAbsent(body.dimensions)) request.dimensions = expectInteger(body.dimensions, 'dimensions', 1);
  const format = body.encoding_format;
  if (format === 'float' || format === 'base64') request.encodingFormat = format;
  else if (!isAbsent(format)) fail('encoding_format must be float or base64', 'encoding_format');
  if (!isAbsent(body.user)) request.user = expectString(body.user, 'user');
  return request;
}

/** `input`: a string or an array of strings; OpenAI refuses empty strings, and so does this. */
function parseInputs(value: unknown): string[] {
  if (typeof value === 'string') {
    if (value.length === 0) fail('input must not be an empty string', 'input');
    return [value];
  }
  if (!Array.isArray(value)) fail(`Expected a string or an array of strings at input, got ${typeName(value)}`, 'input');
  if (value.length === 0) fail('input must not be an empty array', 'input');
  if (value.length > MAX_EMBEDDING_INPUTS) fail(`input accepts at most ${MAX_EMBEDDING_INPUTS} items`, 'input');
  return value.map((item, i) => {
    const param = `input[${i}]`;
    // number[] (one token array) and number[][] (several) are OpenAI's pre-tokenized inputs.
    if (typeof item === 'number' || Array.isArray(item)) fail(TOKEN_ARRAYS, param);
    const text = expectString(item, param);
    if (text.length === 0) fail(`${param} must not be an empty string`, param);
    return text;
  });
}
