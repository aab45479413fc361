/**
 * Client's OpenAI Chat Completions request body → CanonicalRequest.
 * Wire shape: API reference, "Create chat completion" (`POST /v1/chat/completions`), ChatCompletionCreateParams in
 * openai-node. `null` is accepted wherever OpenAI accepts it and means "not set".
 */
import type { CanonicalRequest, JsonObject, JsonValue } from '../canonical/types.ts';
import { parseMessages } from './parse-messages.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { parseResponseFormat, parseToolChoice, parseTools } from './parse-tools.ts';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectNonEmptyString,
  expectNumber,
  expectRecord,
  expectString,
  fail,
  isRecord,
  isUnsafeKey,
  typeName,
  wireName,
} from './wire-checks.ts';

/** Options of {@link parseChatRequest}. */
export interface ParseChatRequestOptions {
  /**
   * Carry top-level fields OpenAI does not define (vendor extras such as vLLM's `top_k`) in `extensions.openaiChat`
   * instead of refusing them. Off by default: OpenAI itself answers 400 "Unrecognized request argument supplied".
   */
  passUnknownFields?: boolean;
}

type Check = 'integer' | 'penalty' | 'boolean' | 'string' | 'object' | 'array' | 'top_logprobs' | 'n';

/**
 * Valid OpenAI fields without a canonical home. They ride unchanged in `extensions.openaiChat`, so an OpenAI or
 * OpenAI-compatible upstream still receives them; other formats ignore them.
 */
export const OPENAI_CHAT_PASSTHROUGH_FIELDS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['seed', 'integer'],
  ['n', 'n'],
  ['logprobs', 'boolean'],
  ['top_logprobs', 'top_logprobs'],
  ['presence_penalty', 'penalty'],
  ['frequency_penalty', 'penalty'],
  ['logit_bias', 'object'],
  ['metadata', 'object'],
  ['store', 'boolean'],
  ['service_tier', 'string'],
  ['prediction', 'object'],
  ['modalities', 'array'],
  ['audio', 'object'],
  ['web_search_options', 'object'],
  ['prompt_cache_key', 'string'],
  ['prompt_cache_retention', 'string'],
  ['prompt_cache_options', 'object'],
  ['safety_identifier', 'string'],
  ['verbosity', 'string'],
  ['moderation', 'object'],
]);

/** Fields this parser maps onto the canonical request. */
const CANONICAL_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'user',
]);

/** OpenAI allows "up to 4 sequences" in `stop`. */
const MAX_STOP_SEQUENCES = 4;

/** Parse and validate a client's Chat Completions body; throws FormatError (with the OpenAI param path) on bad input. */
export function parseChatRequest(body: unknown, options: ParseChatRequestOptions = {}): CanonicalRequest {
  if (!isRecord(body)) fail(`The request body must be a JSON object, got ${typeName(body)}`, null);
  const model = expectNonEmptyString(body.model, 'model');
  const { system, messages } = parseMessages(body.messages);
  const request: CanonicalRequest = {
    model,
    system,
    messages,
    stream: isAbsent(body.stream) ? false : expectBoolean(body.stream, 'stream'),
  };
  const extensions: JsonObject = {};

  if (!isAbsent(body.stream_options)) {
    const streamOptions = expectRecord(body.stream_options, 'stream_options');
    const rest: JsonObject = {};
    for (const key of Object.keys(streamOptions)) {
      if (key === 'include_usage') {
        if (!isAbsent(streamOptions.include_usage)) request.streamUsage = expectBoolean(streamOptions.include_usage, 'stream_options.include_usage');
      } else if (!isUnsafeKey(key)) {
        // e.g. include_obfuscation: not canonical, but an OpenAI upstream should still honour it.
        rest[key] = streamOptions[key] as JsonValue;
      }
    }
    if (Object.keys(rest).length > 0) extensions.stream_options = rest;
  }

  parseMaxTokens(body, request, extensions);
  if (!isAbsent(body.temperature)) request.temperature = expectNumber(body.temperature, 'temperature', 0, 2);
  if (!isAbsent(body.top_p)) request.topP = expectNumber(body.top_p, 'top_p', 0, 1);
  if (!isAbsent(body.stop)) request.stop = parseStop(body.stop);
  if (!isAbsent(body.tools)) request.tools = parseTools(body.tools);
  if (!isAbsent(body.tool_choice)) request.toolChoice = parseToolChoice(body.tool_choice);
  if (!isAbsent(body.parallel_tool_calls)) request.parallelToolCalls = expectBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (!isAbsent(body.response_format)) request.responseFormat = parseResponseFormat(body.response_format);
  if (!isAbsent(body.user)) request.user = expectString(body.user, 'user');
  parseReasoningEffort(body.reasoning_effort, request, extensions);

  for (const key of Object.keys(body)) {
    if (CANONICAL_FIELDS.has(key)) continue;
    const value = body[key];
    const check = OPENAI_CHAT_PASSTHROUGH_FIELDS.get(key);
    if (check !== undefined) {
      if (!isAbsent(value)) extensions[key] = checkPassthrough(key, value, check);
    } else if (key === 'functions' || key === 'function_call') {
      fail(`The deprecated ${key} parameter is not supported; use tools and tool_choice`, key);
    } else if (options.passUnknownFields === true && !isUnsafeKey(key)) {
      if (value !== undefined) extensions[key] = value as JsonValue;
    } else {
      fail(`Unrecognized request argument supplied: ${wireName(key)}`, key.slice(0, 64));
    }
  }

  if (Object.keys(extensions).length > 0) request.extensions = { openaiChat: extensions };
  return request;
}

/**
 * `max_tokens` is deprecated in favour of `max_completion_tokens` (required by reasoning models), yet older
 * compatible servers only know `max_tokens`. Both map to `maxTokens`; which name the client used is remembered in
 * the extensions (`max_completion_tokens` key) so rendering to an OpenAI upstream uses the same name.
 */
function parseMaxTokens(body: Record<string, unknown>, request: CanonicalRequest, extensions: JsonObject): void {
  const legacy = isAbsent(body.max_tokens) ? undefined : expectInteger(body.max_tokens, 'max_tokens', 1);
  const current = isAbsent(body.max_completion_tokens) ? undefined : expectInteger(body.max_completion_tokens, 'max_completion_tokens', 1);
  if (legacy !== undefined && current !== undefined && legacy !== current) {
    fail('Set either max_tokens or max_completion_tokens, not both', 'max_tokens');
  }
  if (current !== undefined) {
    request.maxTokens = current;
    extensions.max_completion_tokens = current;
  } else if (legacy !== undefined) {
    request.maxTokens = legacy;
  }
}

function parseStop(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const list = expectArray(value, 'stop');
  if (list.length > MAX_STOP_SEQUENCES) fail(`stop accepts at most ${MAX_STOP_SEQUENCES} sequences`, 'stop');
  return list.map((item, i) => expectString(item, `stop[${i}]`));
}

/**
 * minimal/low/medium/high are canonical. OpenAI's other levels (none, xhigh, max) have no counterpart in the other
 * formats, so they ride in the extensions: an OpenAI upstream still gets them, others see no reasoning preference.
 */
function parseReasoningEffort(value: unknown, request: CanonicalRequest, extensions: JsonObject): void {
  if (isAbsent(value)) return;
  if (value === 'minimal' || value === 'low' || value === 'medium' || value === 'high') request.reasoning = { effort: value };
  else if (value === 'none' || value === 'xhigh' || value === 'max') extensions.reasoning_effort = value;
  else fail('reasoning_effort must be one of none, minimal, low, medium, high, xhigh, max', 'reasoning_effort');
}

function checkPassthrough(key: string, value: unknown, check: Check): JsonValue {
  switch (check) {
    case 'integer':
      return expectInteger(value, key);
    case 'penalty':
      return expectNumber(value, key, -2, 2);
    case 'top_logprobs':
      return expectInteger(value, key, 0, 20);
    case 'n':
      // The canonical response has one choice; n > 1 would silently lose the others.
      if (expectInteger(value, key) !== 1) fail('Only n = 1 is supported', key);
      return 1;
    case 'boolean':
      return expectBoolean(value, key);
    case 'string':
      return expectString(value, key);
    case 'object':
      return expectRecord(value, key) as JsonObject;
    case 'array':
      return expectArray(value, key) as JsonValue[];
  }
}
