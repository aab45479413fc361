/**
 * A client's Gemini `GenerateContentRequest` (`POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent`) → CanonicalRequest. The model and whether to stream come from the URL (the context).
 * Wire shape: ai.google.dev/api/generate-content#request-body and `GenerationConfig` / `ThinkingConfig` there.
 */
import type { ClientRequestContext } from '../canonical/codec.ts';
import type { CanonicalRequest, JsonObject, JsonValue, ReasoningOptions, ResponseFormat } from '../canonical/types.ts';
import { parseContents, parseSystemInstruction } from './parse-contents.ts';
import { parseToolConfig, parseTools } from './parse-tools.ts';
import { schemaToJsonSchema } from './schema.ts';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectJsonObject,
  expectNonEmptyString,
  expectNumber,
  expectString,
  fail,
  isAbsent,
  readFields,
  wireName,
} from './wire-checks.ts';

type Check = 'number' | 'integer' | 'boolean' | 'string' | 'object' | 'array';

/**
 * Valid request fields without a canonical home. They ride in `extensions.gemini` (same names), so a Gemini upstream
 * still receives them; other upstreams never see them. Note that `cachedContent` is context: without a Gemini
 * upstream, the cached part of the prompt is simply absent.
 */
export const GEMINI_PASSTHROUGH_FIELDS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['safetySettings', 'array'],
  ['cachedContent', 'string'],
  ['serviceTier', 'string'],
  ['store', 'boolean'],
  ['labels', 'object'],
]);

/** `generationConfig` fields without a canonical home, carried in `extensions.gemini.generationConfig`. */
export const GEMINI_GENERATION_PASSTHROUGH_FIELDS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['presencePenalty', 'number'],
  ['frequencyPenalty', 'number'],
  ['seed', 'integer'],
  ['responseLogprobs', 'boolean'],
  ['logprobs', 'integer'],
  ['responseModalities', 'array'],
  ['mediaResolution', 'string'],
  ['speechConfig', 'object'],
  ['imageConfig', 'object'],
  ['enableEnhancedCivicAnswers', 'boolean'],
]);

const REQUEST_FIELDS = new Set(['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', ...GEMINI_PASSTHROUGH_FIELDS.keys()]);
const GENERATION_FIELDS = new Set([
  'temperature',
  'topP',
  'topK',
  'candidateCount',
  'maxOutputTokens',
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  ...GEMINI_GENERATION_PASSTHROUGH_FIELDS.keys(),
]);
const THINKING_FIELDS = new Set(['thinkingBudget', 'includeThoughts', 'thinkingLevel']);
const LEVELS = new Set(['MINIMAL', 'LOW', 'MEDIUM', 'HIGH']);

/** GenerationConfig.stopSequences: "up to 5 character sequences". */
export const MAX_STOP_SEQUENCES = 5;

/** The model id of a URL or body model name: `models/gemini-2.5-flash` → `gemini-2.5-flash`. */
export function modelId(name: string): string {
  return name.startsWith('models/') ? name.slice('models/'.length) : name;
}

/** Parse and validate a client's GenerateContentRequest; throws FormatError (with a camelCase field path). */
export function parseGenerateContentRequest(body: unknown, context: ClientRequestContext = {}): CanonicalRequest {
  const fields = readFields(body, '', REQUEST_FIELDS);
  const model = modelId(expectNonEmptyString(context.model, 'model'));
  if (model.length === 0) fail('The model name must not be empty', 'model');
  // The body may repeat the model (GenerateContentRequest.model); it must then be the one in the URL.
  if (!isAbsent(fields.model) && modelId(expectString(fields.model, 'model')) !== model) fail('The model in the body differs from the URL', 'model');

  const request: CanonicalRequest = {
    model,
    system: isAbsent(fields.systemInstruction) ? [] : parseSystemInstruction(fields.systemInstruction, 'systemInstruction'),
    messages: parseContents(fields.contents, 'contents'),
    stream: context.stream === true,
  };
  const extensions: JsonObject = {};

  if (!isAbsent(fields.tools)) {
    const parsed = parseTools(fields.tools, 'tools');
    if (parsed.tools.length > 0) request.tools = parsed.tools;
    if (parsed.builtIn.length > 0) extensions.tools = parsed.builtIn;
  }
  if (!isAbsent(fields.toolConfig)) {
    const config = parseToolConfig(fields.toolConfig, 'toolConfig', request.tools ?? []);
    // A choice without declared functions constrains nothing, and some upstreams refuse it (OpenAI: tool_choice
    // "is only allowed when tools are specified").
    if (config.toolChoice !== undefined && request.tools !== undefined) request.toolChoice = config.toolChoice;
    const allowed = config.allowedNames;
    if (allowed !== undefined && request.tools !== undefined) request.tools = request.tools.filter((tool) => allowed.includes(tool.name));
    if (Object.keys(config.rest).length > 0) extensions.toolConfig = config.rest;
  }
  if (!isAbsent(fields.generationConfig)) parseGenerationConfig(fields.generationConfig, request, extensions);

  for (const [key, check] of GEMINI_PASSTHROUGH_FIELDS) {
    if (!isAbsent(fields[key])) extensions[key] = checkPassthrough(fields[key], key, check);
  }
  if (Object.keys(extensions).length > 0) request.extensions = { gemini: extensions };
  return request;
}

function parseGenerationConfig(value: unknown, request: CanonicalRequest, extensions: JsonObject): void {
  const config = readFields(value, 'generationConfig', GENERATION_FIELDS);
  const at = (key: string): string => `generationConfig.${key}`;
  if (!isAbsent(config.temperature)) request.temperature = expectNumber(config.temperature, at('temperature'), 0, 2);
  if (!isAbsent(config.topP)) request.topP = expectNumber(config.topP, at('topP'), 0, 1);
  if (!isAbsent(config.topK)) request.topK = expectInteger(config.topK, at('topK'), 1);
  if (!isAbsent(config.maxOutputTokens)) request.maxTokens = expectInteger(config.maxOutputTokens, at('maxOutputTokens'), 1);
  // The canonical response has one candidate; more would silently be lost.
  if (!isAbsent(config.candidateCount) && expectInteger(config.candidateCount, at('candidateCount')) !== 1) {
    fail('Only candidateCount = 1 is supported', at('candidateCount'));
  }
  if (!isAbsent(config.stopSequences)) {
    const list = expectArray(config.stopSequences, at('stopSequences'));
    if (list.length > MAX_STOP_SEQUENCES) fail(`stopSequences accepts at most ${MAX_STOP_SEQUENCES} sequences`, at('stopSequences'));
    request.stop = list.map((item, i) => expectString(item, `${at('stopSequences')}[${i}]`));
  }
  const format = parseResponseFormat(config);
  if (format !== undefined) request.responseFormat = format;
  if (!isAbsent(config.thinkingConfig)) parseThinkingConfig(config.thinkingConfig, request, extensions);

  const rest: JsonObject = {};
  for (const [key, check] of GEMINI_GENERATION_PASSTHROUGH_FIELDS) {
    if (!isAbsent(config[key])) rest[key] = checkPassthrough(config[key], at(key), check);
  }
  if (Object.keys(rest).length > 0) extensions.generationConfig = rest;
}

/**
 * responseMimeType `application/json` is JSON mode; with `responseJsonSchema` (JSON Schema) or `responseSchema`
 * (Gemini's OpenAPI subset, converted) it is a JSON-schema answer, named `response` since Gemini has no name for
 * it. `text/plain` is the default. `text/x.enum` has no counterpart elsewhere and is refused.
 */
function parseResponseFormat(config: Record<string, unknown>): ResponseFormat | undefined {
  const mime = isAbsent(config.responseMimeType) ? undefined : expectString(config.responseMimeType, 'generationConfig.responseMimeType');
  const hasSchema = !isAbsent(config.responseSchema) || !isAbsent(config.responseJsonSchema);
  if (!isAbsent(config.responseSchema) && !isAbsent(config.responseJsonSchema)) {
    fail('responseSchema and responseJsonSchema are mutually exclusive', 'generationConfig.responseJsonSchema');
  }
  if (hasSchema && mime !== 'application/json') {
    fail('A response schema needs responseMimeType "application/json"', 'generationConfig.responseMimeType');
  }
  if (mime === undefined) return undefined;
  if (mime === 'text/plain') return { type: 'text' };
  if (mime !== 'application/json') fail('responseMimeType must be text/plain or application/json', 'generationConfig.responseMimeType');
  if (!isAbsent(config.responseJsonSchema)) {
    return { type: 'json_schema', name: 'response', schema: expectJsonObject(config.responseJsonSchema, 'generationConfig.responseJsonSchema') };
  }
  if (!isAbsent(config.responseSchema)) {
    return { type: 'json_schema', name: 'response', schema: schemaToJsonSchema(config.responseSchema, 'generationConfig.responseSchema') };
  }
  return { type: 'json_object' };
}

/**
 * thinkingBudget > 0 is the canonical budget and thinkingLevel the canonical effort. What has no canonical meaning
 * (budget 0 = off, -1 = dynamic, includeThoughts, and which of budget/level the client used) stays in
 * `extensions.gemini.thinkingConfig`, so a Gemini upstream receives the client's config unchanged.
 */
function parseThinkingConfig(value: unknown, request: CanonicalRequest, extensions: JsonObject): void {
  const param = 'generationConfig.thinkingConfig';
  const config = readFields(value, param, THINKING_FIELDS);
  const rest: JsonObject = {};
  const reasoning: ReasoningOptions = {};
  // Gemini's default is false; written out so that rendering (which asks for thoughts when reasoning is on) keeps
  // the Gemini client's choice.
  rest.includeThoughts = isAbsent(config.includeThoughts) ? false : expectBoolean(config.includeThoughts, `${param}.includeThoughts`);
  const hasBudget = !isAbsent(config.thinkingBudget);
  if (hasBudget) {
    const budget = expectInteger(config.thinkingBudget, `${param}.thinkingBudget`, -1);
    if (budget > 0) reasoning.budgetTokens = budget;
    else rest.thinkingBudget = budget;
  }
  if (!isAbsent(config.thinkingLevel)) {
    const level = expectString(config.thinkingLevel, `${param}.thinkingLevel`).toUpperCase();
    if (level !== 'THINKING_LEVEL_UNSPECIFIED') {
      if (!LEVELS.has(level)) fail(`Unknown thinkingLevel ${wireName(config.thinkingLevel)}`, `${param}.thinkingLevel`);
      // Gemini 3: "You cannot use both thinking_level and the legacy thinking_budget parameter in the same request."
      if (hasBudget) fail('Set either thinkingBudget or thinkingLevel, not both', `${param}.thinkingLevel`);
      reasoning.effort = level.toLowerCase() as NonNullable<ReasoningOptions['effort']>;
      rest.thinkingLevel = level;
    }
  }
  if (reasoning.budgetTokens !== undefined || reasoning.effort !== undefined) request.reasoning = reasoning;
  extensions.thinkingConfig = rest;
}

function checkPassthrough(value: unknown, param: string, check: Check): JsonValue {
  switch (check) {
    case 'number':
      return expectNumber(value, param);
    case 'integer':
      return expectInteger(value, param);
    case 'boolean':
      return expectBoolean(value, param);
    case 'string':
      return expectString(value, param);
    case 'object':
      return expectJsonObject(value, param);
    case 'array':
      return expectArray(value, param) as JsonValue[];
  }
}
