/**
 * `POST /v1beta/models/{model}:countTokens` (ai.google.dev/api/tokens#method:-models.counttokens), both sides.
 * The request holds either `contents` or a whole `generateContentRequest` (the two are mutually exclusive); the
 * answer is `{totalTokens}`.
 */
import type { ClientRequestContext } from '../canonical/codec.ts';
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest, CanonicalTokenCount } from '../canonical/types.ts';
import { modelId, parseGenerateContentRequest } from './parse-request.ts';
import { renderGenerateContentRequest } from './render-request.ts';
import { expectCount, expectRecord, fail, isAbsent, readFields } from './wire-checks.ts';

const COUNT_FIELDS = new Set(['contents', 'generateContentRequest']);

/** Parse a client's CountTokensRequest into the request whose prompt is to be counted. */
export function parseCountTokensRequest(body: unknown, context: ClientRequestContext = {}): CanonicalRequest {
  const fields = readFields(body, '', COUNT_FIELDS);
  const hasContents = !isAbsent(fields.contents);
  const hasRequest = !isAbsent(fields.generateContentRequest);
  if (hasContents === hasRequest) fail('Set exactly one of contents and generateContentRequest', hasContents ? 'generateContentRequest' : 'contents');
  if (!hasRequest) return parseGenerateContentRequest({ contents: fields.contents }, { ...context, stream: false });
  try {
    // generateContentRequest.model is required by the API; the parser checks it names the model of the URL.
    return parseGenerateContentRequest(fields.generateContentRequest, { ...context, stream: false });
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(error.message, error.param === null ? 'generateContentRequest' : `generateContentRequest.${error.param}`);
  }
}

/** Render the count as Gemini's CountTokensResponse. */
export function renderCountTokensResponse(count: CanonicalTokenCount): { totalTokens: number } {
  return { totalTokens: count.inputTokens };
}

/**
 * The body of an upstream countTokens call. A `generateContentRequest` is always sent, so the system instruction
 * and tools are counted too, as they will be when the prompt is sent (plain `contents` would miss them).
 */
export function renderCountTokensRequest(request: CanonicalRequest): Record<string, unknown> {
  return { generateContentRequest: { model: `models/${modelId(request.model)}`, ...renderGenerateContentRequest(request) } };
}

/** Parse an upstream CountTokensResponse. */
export function parseCountTokensResponse(body: unknown): CanonicalTokenCount {
  const response = expectRecord(body, 'countTokensResponse');
  // proto3 JSON leaves out zero values: no totalTokens means 0.
  return { inputTokens: isAbsent(response.totalTokens) ? 0 : expectCount(response.totalTokens, 'totalTokens') };
}
