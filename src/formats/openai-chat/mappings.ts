/**
 * Finish reasons and usage, shared by the response and stream translators.
 * Usage semantics follow OpenAI's `CompletionUsage`: `prompt_tokens` already includes the cached tokens
 * (`prompt_tokens_details.cached_tokens`) and `completion_tokens` already includes the reasoning tokens
 * (`completion_tokens_details.reasoning_tokens`); the canonical Usage is read the same way.
 */
import type { FinishReason, Usage } from '../canonical/types.ts';
import { expectCount, expectRecord, isRecord } from './wire-checks.ts';

/** OpenAI's `finish_reason` values (API reference, chat completion object `choices[].finish_reason`). */
export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/**
 * Map an upstream `finish_reason` to the canonical one. The deprecated `function_call` is a tool call. Unknown
 * strings (some compatible servers send their own, e.g. `eos`) become `stop` rather than losing a finished answer.
 */
export function parseFinishReason(value: string): FinishReason {
  switch (value) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return value;
    case 'function_call':
      return 'tool_calls';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}

/**
 * Map a canonical finish reason to OpenAI's. OpenAI has no `error` reason; an answer cut short by an upstream error
 * is reported as `stop`, and the error itself travels as a separate error event/body.
 */
export function renderFinishReason(reason: FinishReason): ChatFinishReason {
  return reason === 'error' ? 'stop' : reason;
}

/** Parse an OpenAI `usage` object found at `param`. */
export function parseUsage(value: unknown, param: string): Usage {
  const usage = expectRecord(value, param);
  const result: Usage = {
    inputTokens: expectCount(usage.prompt_tokens, `${param}.prompt_tokens`),
    outputTokens: expectCount(usage.completion_tokens, `${param}.completion_tokens`),
  };
  const promptDetails = usage.prompt_tokens_details;
  if (isRecord(promptDetails) && promptDetails.cached_tokens !== undefined && promptDetails.cached_tokens !== null) {
    result.cachedInputTokens = expectCount(promptDetails.cached_tokens, `${param}.prompt_tokens_details.cached_tokens`);
  }
  const completionDetails = usage.completion_tokens_details;
  if (isRecord(completionDetails) && completionDetails.reasoning_tokens !== undefined && completionDetails.reasoning_tokens !== null) {
    result.reasoningTokens = expectCount(completionDetails.reasoning_tokens, `${param}.completion_tokens_details.reasoning_tokens`);
  }
  return result;
}

/** OpenAI's `CompletionUsage` as the SDK types it. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

/** Render canonical usage as OpenAI's `usage` object; details appear only when the canonical usage has them. */
export function renderUsage(usage: Usage): ChatUsage {
  const result: ChatUsage = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined) result.prompt_tokens_details = { cached_tokens: usage.cachedInputTokens };
  if (usage.reasoningTokens !== undefined) result.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return result;
}
