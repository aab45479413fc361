/**
 * Client's OpenAI Responses request body (`POST /v1/responses`) → CanonicalRequest.
 * Wire shape: API reference, "Create a model response" (ResponseCreateParams in openai-node
 * `src/resources/responses/responses.ts`). `null` is accepted wherever OpenAI accepts it and means "not set".
 *
 * Rampart is stateless: it stores no responses, conversations or prompts. Fields that only make sense against
 * OpenAI's server-side state (`previous_response_id`, `conversation`, `prompt`, `background`, `item_reference`
 * items, `context_management`) are refused with a message saying so, never silently ignored, because a model
 * answering without the referenced history would look like success.
 */
import type { CanonicalRequest, JsonObject, JsonValue, TextPart } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
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
} from '../openai-chat/wire-checks.ts';
import { parseInput } from './parse-input.ts';
import { parseTextFormat, parseToolChoice, parseTools } from './parse-tools.ts';

type Check = 'string' | 'object' | 'truncation' | 'top_logprobs' | 'positive' | 'metadata';

/**
 * Valid Responses fields without a canonical home. They ride in `extensions.openaiResponses` (a Responses upstream
 * could honour them; other providers ignore them) and some are echoed on the rendered Response.
 * `client_metadata` is not in the published schema but Codex CLI sends it on every request.
 */
export const OPENAI_RESPONSES_PASSTHROUGH_FIELDS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['metadata', 'metadata'],
  ['service_tier', 'string'],
  ['prompt_cache_key', 'string'],
  ['prompt_cache_retention', 'string'],
  ['prompt_cache_options', 'object'],
  ['safety_identifier', 'string'],
  ['truncation', 'truncation'],
  ['top_logprobs', 'top_logprobs'],
  ['max_tool_calls', 'positive'],
  ['stream_options', 'object'],
  ['access_programs', 'object'],
  ['image', 'object'],
  ['moderation', 'object'],
  ['client_metadata', 'object'],
]);

const STATELESS = 'this gateway keeps no server-side state (no stored responses, conversations or prompts)';

/** Fields refused when set, with why. */
const REFUSED_FIELDS: ReadonlyMap<string, string> = new Map([
  ['previous_response_id', `previous_response_id is not supported: ${STATELESS}; send the whole conversation in input`],
  ['conversation', `conversation is not supported: ${STATELESS}; send the whole conversation in input`],
  ['prompt', `prompt (stored prompt templates) is not supported: ${STATELESS}; send instructions and input instead`],
  ['context_management', `context_management is not supported: ${STATELESS} and cannot compact a conversation`],
]);

/** Fields this parser maps onto the canonical request or handles itself. */
const HANDLED_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'stream',
  'max_output_tokens',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'reasoning',
  'user',
  'store',
  'include',
  'background',
]);

/** `include` values of ResponseIncludable. None changes what Rampart can render, so all are accepted as no-ops. */
const INCLUDABLE = new Set([
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
]);

const REASONING_KEYS = new Set(['effort', 'summary', 'generate_summary', 'context', 'mode']);

/** Parse and validate a client's Responses body; throws FormatError (with the OpenAI param path) on bad input. */
export function parseResponsesRequest(body: unknown): CanonicalRequest {
  if (!isRecord(body)) fail(`The request body must be a JSON object, got ${typeName(body)}`, null);
  for (const [key, message] of REFUSED_FIELDS) if (!isAbsent(body[key])) fail(message, key);
  if (!isAbsent(body.background) && expectBoolean(body.background, 'background')) {
    fail(`background mode is not supported: ${STATELESS} to poll later; use stream instead`, 'background');
  }

  const model = expectNonEmptyString(body.model, 'model');
  const system: TextPart[] = [];
  if (!isAbsent(body.instructions)) system.push({ type: 'text', text: expectString(body.instructions, 'instructions') });
  if (isAbsent(body.input)) fail('input is required', 'input');
  const { messages } = parseInput(body.input, system);
  const stream = isAbsent(body.stream) ? false : expectBoolean(body.stream, 'stream');
  const request: CanonicalRequest = { model, system, messages, stream };
  // A Responses stream always ends with the full Response, usage included (there is no opt-in as in Chat).
  if (stream) request.streamUsage = true;
  const extensions: JsonObject = {};

  if (!isAbsent(body.max_output_tokens)) request.maxTokens = expectInteger(body.max_output_tokens, 'max_output_tokens', 1);
  if (!isAbsent(body.temperature)) request.temperature = expectNumber(body.temperature, 'temperature', 0, 2);
  if (!isAbsent(body.top_p)) request.topP = expectNumber(body.top_p, 'top_p', 0, 1);
  parseToolSettings(body, request);
  if (!isAbsent(body.user)) request.user = expectString(body.user, 'user');
  parseText(body.text, request, extensions);
  parseReasoning(body.reasoning, request, extensions);
  // Kept as sent, so a Responses upstream would see the client's wish. Rampart itself never stores a response,
  // whatever `store` says, and the rendered Response reports `store: false`.
  if (!isAbsent(body.store)) extensions.store = expectBoolean(body.store, 'store');
  if (!isAbsent(body.include)) extensions.include = parseInclude(body.include);

  for (const key of Object.keys(body)) {
    if (HANDLED_FIELDS.has(key) || REFUSED_FIELDS.has(key)) continue;
    const check = OPENAI_RESPONSES_PASSTHROUGH_FIELDS.get(key);
    if (check === undefined) fail(`Unrecognized request argument supplied: ${wireName(key)}`, key.slice(0, 64));
    const value = body[key];
    if (!isAbsent(value)) extensions[key] = checkPassthrough(key, value, check);
  }

  if (Object.keys(extensions).length > 0) request.extensions = { openaiResponses: extensions };
  return request;
}

/**
 * `tools`, `tool_choice`, `parallel_tool_calls`. Responses accepts the last two (and an empty tool list) when no tool
 * is defined, and Codex always sends them; Chat Completions answers 400 to each of them without tools. Without tools
 * they mean nothing, so they are dropped — except a choice that demands a tool call, which stays and fails upstream
 * as it would at OpenAI.
 */
function parseToolSettings(body: Record<string, unknown>, request: CanonicalRequest): void {
  const tools = isAbsent(body.tools) ? [] : parseTools(body.tools);
  const choice = isAbsent(body.tool_choice) ? undefined : parseToolChoice(body.tool_choice);
  const parallel = isAbsent(body.parallel_tool_calls) ? undefined : expectBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (tools.length > 0) request.tools = tools;
  if (choice !== undefined && (tools.length > 0 || choice.type === 'required' || choice.type === 'tool')) request.toolChoice = choice;
  if (parallel !== undefined && tools.length > 0) request.parallelToolCalls = parallel;
}

/** `text`: the output format (canonical) and `verbosity` (Responses-only, kept in the extensions). */
function parseText(value: unknown, request: CanonicalRequest, extensions: JsonObject): void {
  if (isAbsent(value)) return;
  const text = expectRecord(value, 'text');
  for (const key of Object.keys(text)) {
    if (key !== 'format' && key !== 'verbosity') fail(`Unrecognized argument text.${wireName(key)}`, 'text');
  }
  if (!isAbsent(text.format)) request.responseFormat = parseTextFormat(text.format);
  const verbosity = text.verbosity;
  if (verbosity === 'low' || verbosity === 'medium' || verbosity === 'high') extensions.verbosity = verbosity;
  else if (!isAbsent(verbosity)) fail('text.verbosity must be one of low, medium, high', 'text.verbosity');
}

/**
 * `reasoning.effort` minimal/low/medium/high is canonical. OpenAI's other levels (none, xhigh, max) and the summary,
 * context and mode settings have no counterpart elsewhere and ride in `extensions.openaiResponses.reasoning`.
 */
function parseReasoning(value: unknown, request: CanonicalRequest, extensions: JsonObject): void {
  if (isAbsent(value)) return;
  const reasoning = expectRecord(value, 'reasoning');
  const rest: JsonObject = {};
  for (const key of Object.keys(reasoning)) {
    if (!REASONING_KEYS.has(key)) fail(`Unrecognized argument reasoning.${wireName(key)}`, 'reasoning');
    const setting = reasoning[key];
    if (isAbsent(setting)) continue;
    if (key === 'effort') {
      if (setting === 'minimal' || setting === 'low' || setting === 'medium' || setting === 'high') request.reasoning = { effort: setting };
      else if (setting === 'none' || setting === 'xhigh' || setting === 'max') rest.effort = setting;
      else fail('reasoning.effort must be one of none, minimal, low, medium, high, xhigh, max', 'reasoning.effort');
    } else if (key === 'summary' || key === 'generate_summary') {
      // generate_summary is the deprecated name of summary.
      if (setting !== 'auto' && setting !== 'concise' && setting !== 'detailed') fail(`reasoning.${key} must be one of auto, concise, detailed`, `reasoning.${key}`);
      rest.summary = setting;
    } else {
      rest[key] = expectString(setting, `reasoning.${key}`);
    }
  }
  if (Object.keys(rest).length > 0) extensions.reasoning = rest;
}

function parseInclude(value: unknown): JsonValue[] {
  const list = expectArray(value, 'include');
  return list.map((entry, i) => {
    const name = expectString(entry, `include[${i}]`);
    if (!INCLUDABLE.has(name)) fail(`include value ${wireName(name)} is not supported`, `include[${i}]`);
    return name;
  });
}

function checkPassthrough(key: string, value: unknown, check: Check): JsonValue {
  switch (check) {
    case 'string':
      return expectString(value, key);
    case 'object':
      return expectRecord(value, key) as JsonObject;
    case 'truncation':
      if (value !== 'auto' && value !== 'disabled') fail('truncation must be auto or disabled', key);
      return value;
    case 'top_logprobs':
      return expectInteger(value, key, 0, 20);
    case 'positive':
      return expectInteger(value, key, 1);
    case 'metadata':
      return parseMetadata(value);
  }
}

/** OpenAI: "Set of 16 key-value pairs… Keys are strings with a maximum length of 64 characters. Values… 512." */
function parseMetadata(value: unknown): JsonObject {
  const metadata = expectRecord(value, 'metadata');
  const keys = Object.keys(metadata);
  if (keys.length > 16) fail('metadata accepts at most 16 key-value pairs', 'metadata');
  const result: JsonObject = {};
  for (const key of keys) {
    if (isUnsafeKey(key)) fail(`metadata key ${wireName(key)} is not allowed`, 'metadata');
    if (key.length > 64) fail('metadata keys must be at most 64 characters', 'metadata');
    const entry = expectString(metadata[key], 'metadata');
    if (entry.length > 512) fail('metadata values must be at most 512 characters', 'metadata');
    result[key] = entry;
  }
  return result;
}
