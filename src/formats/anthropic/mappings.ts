/**
 * Stop reasons and usage, shared by the response and stream translators.
 * Anthropic's `Usage` (API reference, "Messages" → response `usage`): "Total input tokens in a request is the
 * summation of `input_tokens`, `cache_creation_input_tokens`, and `cache_read_input_tokens`". The canonical Usage
 * counts the OpenAI way (inputTokens INCLUDES cache reads and writes), so parse adds them up and render subtracts.
 */
import type { FinishReason, Usage } from '../canonical/types.ts';
import { expectCount, expectRecord, isRecord, optionalCount } from './wire-checks.ts';

/** Anthropic's `stop_reason` values (API reference, Message object; StopReason in anthropic-sdk-typescript). */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

/**
 * Map an upstream `stop_reason` to the canonical one. `stop_sequence` and `pause_turn` (a server tool paused the
 * turn; Rampart refuses server tools) are natural stops; running out of context is a length stop. Unknown values
 * become `stop` rather than losing a finished answer.
 */
export function parseStopReason(value: string): FinishReason {
  switch (value) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/**
 * Map a canonical finish reason to Anthropic's. `original` is the upstream's own stop_reason when the answer came
 * from Anthropic (kept in the response extensions), used when it agrees, so `stop_sequence` or `pause_turn` survive
 * an Anthropic-to-Anthropic trip. Anthropic has no error reason: an answer cut short by an upstream error ends as
 * `end_turn` and the error itself travels as a separate error event/body, as with OpenAI's renderer.
 */
export function renderStopReason(reason: FinishReason, original?: string): AnthropicStopReason {
  if (original !== undefined && isStopReason(original) && parseStopReason(original) === reason) return original;
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

const STOP_REASONS: ReadonlySet<string> = new Set<AnthropicStopReason>([
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
]);

function isStopReason(value: string): value is AnthropicStopReason {
  return STOP_REASONS.has(value);
}

/** The usage numbers carried by a Message or a stream's message_start / message_delta. */
export interface UsageCounts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  thinking?: number;
}

/** Read the counts of a `usage` object found at `param`; absent or null counts stay undefined. */
export function readUsageCounts(value: unknown, param: string): UsageCounts {
  const usage = expectRecord(value, param);
  const counts: UsageCounts = {};
  const input = optionalCount(usage.input_tokens, `${param}.input_tokens`);
  const output = optionalCount(usage.output_tokens, `${param}.output_tokens`);
  const cacheRead = optionalCount(usage.cache_read_input_tokens, `${param}.cache_read_input_tokens`);
  const cacheWrite = optionalCount(usage.cache_creation_input_tokens, `${param}.cache_creation_input_tokens`);
  if (input !== undefined) counts.input = input;
  if (output !== undefined) counts.output = output;
  if (cacheRead !== undefined) counts.cacheRead = cacheRead;
  if (cacheWrite !== undefined) counts.cacheWrite = cacheWrite;
  const details = usage.output_tokens_details;
  if (isRecord(details)) {
    const thinking = optionalCount(details.thinking_tokens, `${param}.output_tokens_details.thinking_tokens`);
    if (thinking !== undefined) counts.thinking = thinking;
  }
  return counts;
}

/** Canonical usage from Anthropic counts: cache reads and writes are folded into inputTokens. */
export function toCanonicalUsage(counts: UsageCounts): Usage {
  const usage: Usage = {
    inputTokens: (counts.input ?? 0) + (counts.cacheRead ?? 0) + (counts.cacheWrite ?? 0),
    outputTokens: counts.output ?? 0,
  };
  if (counts.cacheRead !== undefined) usage.cachedInputTokens = counts.cacheRead;
  if (counts.cacheWrite !== undefined) usage.cacheWriteInputTokens = counts.cacheWrite;
  if (counts.thinking !== undefined) usage.reasoningTokens = counts.thinking;
  return usage;
}

/** Parse a Message's `usage` (input_tokens and output_tokens are required there). */
export function parseUsage(value: unknown, param: string): Usage {
  const usage = expectRecord(value, param);
  expectCount(usage.input_tokens, `${param}.input_tokens`);
  expectCount(usage.output_tokens, `${param}.output_tokens`);
  return toCanonicalUsage(readUsageCounts(usage, param));
}

/** Anthropic's `Usage` as Rampart renders it: the four counts every SDK reads. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * Render canonical usage. `input_tokens` excludes the cache counts; a canonical usage whose cache counts exceed its
 * input (an inconsistent upstream) is clamped at 0 rather than sent negative. Unknown cache counts are 0, as
 * Anthropic reports them when caching did not apply.
 */
export function renderUsage(usage: Usage): AnthropicUsage {
  const cacheRead = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

/** The usage of an answer whose provider reported none. */
export const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0 };
