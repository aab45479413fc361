/**
 * Finish reasons, usage and error statuses, shared by the Gemini response and stream translators.
 * Wire reference: Generative Language API v1beta, `GenerateContentResponse` (Candidate.FinishReason,
 * UsageMetadata) — ai.google.dev/api/generate-content.
 */
import type { FinishReason, Usage } from '../canonical/types.ts';
import { UpstreamStreamError } from '../canonical/upstream-stream-error.ts';
import { expectCount, expectRecord, isAbsent, isRecord } from './wire-checks.ts';

/** Candidate.FinishReason values Rampart renders. */
export type GeminiFinishReason = 'STOP' | 'MAX_TOKENS' | 'SAFETY' | 'OTHER' | 'MALFORMED_FUNCTION_CALL';

/** Reasons that mean a safety or policy filter stopped the candidate. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'LANGUAGE',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/** Reasons that mean generation failed rather than ended. */
const FAILED = new Set([
  'OTHER',
  'MALFORMED_FUNCTION_CALL',
  'UNEXPECTED_TOOL_CALL',
  'TOO_MANY_TOOL_CALLS',
  'MISSING_THOUGHT_SIGNATURE',
  'NO_IMAGE',
  'IMAGE_OTHER',
  'FINISH_REASON_UNSPECIFIED',
]);

/**
 * Map a Gemini finish reason. Gemini reports STOP when the answer is function calls, so `hasToolCalls` turns STOP
 * into `tool_calls`. Reasons added after this was written (the enum keeps growing) become `stop` rather than
 * discarding a finished answer.
 */
export function parseFinishReason(value: string, hasToolCalls: boolean): FinishReason {
  if (value === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(value)) return 'content_filter';
  if (FAILED.has(value)) return 'error';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/** Map a canonical finish reason to Gemini's (tool calls end with STOP, as Gemini itself reports them). */
export function renderFinishReason(reason: FinishReason): GeminiFinishReason {
  switch (reason) {
    case 'stop':
    case 'tool_calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    case 'error':
      return 'OTHER';
  }
}

/**
 * Parse `usageMetadata`. promptTokenCount already includes cachedContentTokenCount ("When cachedContent is set, this
 * is still the total effective prompt size"), like canonical inputTokens; toolUsePromptTokenCount (results of
 * server-side tools fed back to the model) is input too. candidatesTokenCount EXCLUDES thoughtsTokenCount
 * (totalTokenCount = prompt + candidates + toolUsePrompt + thoughts), so canonical outputTokens adds them up.
 */
export function parseUsage(value: unknown, param: string): Usage {
  // Upstream answers are read tolerantly: Google adds usage fields (per-modality details, traffic type) over time.
  const usage = expectRecord(value, param);
  const count = (key: string): number | undefined => (isAbsent(usage[key]) ? undefined : expectCount(usage[key], `${param}.${key}`));
  const thoughts = count('thoughtsTokenCount');
  const cached = count('cachedContentTokenCount');
  const result: Usage = {
    inputTokens: (count('promptTokenCount') ?? 0) + (count('toolUsePromptTokenCount') ?? 0),
    outputTokens: (count('candidatesTokenCount') ?? 0) + (thoughts ?? 0),
  };
  if (cached !== undefined) result.cachedInputTokens = cached;
  if (thoughts !== undefined) result.reasoningTokens = thoughts;
  return result;
}

/** Gemini's `usageMetadata` as Rampart renders it. */
export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** Render canonical usage as `usageMetadata` (the inverse of {@link parseUsage}). */
export function renderUsage(usage: Usage): GeminiUsage {
  const thoughts = usage.reasoningTokens ?? 0;
  const result: GeminiUsage = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - thoughts),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined) result.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) result.thoughtsTokenCount = usage.reasoningTokens;
  return result;
}

/**
 * An upstream error object (google.rpc.Status as JSON, `{code, message, status}`) as an UpstreamStreamError. The kind
 * follows the canonical status names (cloud.google.com/apis/design/errors#handling_errors); the upstream message is
 * kept on the exception for logs only.
 */
export function upstreamError(value: unknown): UpstreamStreamError {
  const error = isRecord(value) ? value : {};
  const status = typeof error.status === 'string' ? error.status : '';
  const code = typeof error.code === 'number' ? error.code : 0;
  const message = typeof error.message === 'string' ? error.message.slice(0, 500) : 'Upstream stream reported an error';
  if (status === 'RESOURCE_EXHAUSTED' || code === 429) return new UpstreamStreamError('rate_limit', message);
  if (status === 'UNAVAILABLE' || code === 503) return new UpstreamStreamError('overloaded', message);
  if (status === 'UNAUTHENTICATED' || status === 'PERMISSION_DENIED' || code === 401 || code === 403) {
    return new UpstreamStreamError('authentication', message);
  }
  if (status === 'INVALID_ARGUMENT' || status === 'FAILED_PRECONDITION' || status === 'NOT_FOUND' || code === 400 || code === 404) {
    return new UpstreamStreamError('invalid_request', message);
  }
  return new UpstreamStreamError('api_error', message);
}

/** Google's error body (google.rpc.Status as JSON) without details: `{error: {code, message, status}}`. */
export function renderGeminiError(code: number, status: string, message: string): { error: { code: number; message: string; status: string } } {
  return { error: { code, message, status } };
}
