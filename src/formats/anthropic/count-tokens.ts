/**
 * Token counting (`POST /v1/messages/count_tokens`), both sides.
 * Wire shape: API reference, "Messages" → "Count tokens in a Message" (MessageCountTokensParams, MessageTokensCount
 * in anthropic-sdk-typescript). The body is a Messages body without generation controls; the answer is
 * `{input_tokens}`, the total including anything a cache would serve (it matches canonical inputTokens).
 */
import type { CanonicalRequest, CanonicalTokenCount } from '../canonical/types.ts';
import { parseMessagesRequest } from './parse-request.ts';
import { renderMessagesRequest } from './render-request.ts';
import { expectCount, fail, isRecord, typeName } from './wire-checks.ts';

/** The fields count_tokens accepts; everything else a Messages body may hold is left out. */
const COUNT_TOKENS_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'cache_control', 'speed'];

/** Parse a client's count_tokens body: a Messages body where max_tokens is not required (nor accepted). */
export function parseCountTokensRequest(body: unknown): CanonicalRequest {
  return parseMessagesRequest(body, 'count_tokens');
}

/** Render the client's answer. */
export function renderCountTokensResponse(count: CanonicalTokenCount): { input_tokens: number } {
  return { input_tokens: count.inputTokens };
}

/** Render a count_tokens body for an Anthropic upstream. */
export function renderCountTokensRequest(request: CanonicalRequest): Record<string, unknown> {
  // No generation happens, so the output cap (and its limits on the thinking budget) and sampling do not apply.
  const { maxTokens: _maxTokens, temperature: _temperature, topP: _topP, topK: _topK, ...counted } = request;
  const full = renderMessagesRequest({ ...counted, stream: false });
  const body: Record<string, unknown> = {};
  for (const key of COUNT_TOKENS_FIELDS) if (full[key] !== undefined) body[key] = full[key];
  return body;
}

/** Parse an upstream count_tokens answer. */
export function parseCountTokensResponse(body: unknown): CanonicalTokenCount {
  if (!isRecord(body)) fail(`Expected a token count object, got ${typeName(body)}`, null);
  return { inputTokens: expectCount(body.input_tokens, 'input_tokens') };
}
