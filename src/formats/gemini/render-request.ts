/**
 * CanonicalRequest → the `GenerateContentRequest` body sent to a Gemini upstream (the inverse of
 * parseGenerateContentRequest). The model and streaming are in the URL, which the provider adapter builds.
 * Wire shape: ai.google.dev/api/generate-content#request-body.
 */
import { FormatError } from '../canonical/format-error.ts';
import { reasoningBudget } from '../canonical/reasoning.ts';
import type { CanonicalRequest, JsonObject, JsonValue, ResponseFormat, ToolChoice } from '../canonical/types.ts';
import { GEMINI_PASSTHROUGH_FIELDS, MAX_STOP_SEQUENCES } from './parse-request.ts';
import { renderContents } from './render-contents.ts';
import { isRecord } from './wire-checks.ts';

/**
 * Render a request body. Fields only Gemini knows (`extensions.gemini`, e.g. safetySettings, penalties, built-in
 * tools) are merged in; canonical fields are written after them and win. Canonical fields Gemini cannot express are
 * left out: `user` (no such field), `parallelToolCalls` (Gemini has no switch; a model that makes several calls at
 * once is answered with several functionResponses, which every client format supports), tool `strict` and the
 * response schema's name/description/strict (Gemini's JSON Schema support is always constrained decoding).
 */
export function renderGenerateContentRequest(request: CanonicalRequest): Record<string, unknown> {
  const extensions = request.extensions?.gemini ?? {};
  const body: Record<string, unknown> = { ...renderContents(request) };

  const declarations = (request.tools ?? []).map((tool) => {
    const declaration: Record<string, unknown> = { name: tool.name };
    if (tool.description !== undefined) declaration.description = tool.description;
    // JSON Schema as it is: `parameters` only takes Gemini's OpenAPI subset (no additionalProperties, $ref, …).
    declaration.parametersJsonSchema = tool.parameters;
    return declaration;
  });
  const tools: unknown[] = declarations.length > 0 ? [{ functionDeclarations: declarations }] : [];
  if (Array.isArray(extensions.tools)) tools.push(...extensions.tools);
  if (tools.length > 0) body.tools = tools;

  const toolConfig: Record<string, unknown> = isRecord(extensions.toolConfig) ? { ...extensions.toolConfig } : {};
  if (request.toolChoice !== undefined) toolConfig.functionCallingConfig = renderToolChoice(request.toolChoice);
  if (Object.keys(toolConfig).length > 0) body.toolConfig = toolConfig;

  for (const key of GEMINI_PASSTHROUGH_FIELDS.keys()) {
    if (extensions[key] !== undefined) body[key] = extensions[key];
  }

  const config = renderGenerationConfig(request, extensions);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

function renderGenerationConfig(request: CanonicalRequest, extensions: JsonObject): Record<string, unknown> {
  const config: Record<string, unknown> = isRecord(extensions.generationConfig) ? { ...extensions.generationConfig } : {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.stop !== undefined) {
    if (request.stop.length > MAX_STOP_SEQUENCES) throw new FormatError(`Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences`, 'stop');
    config.stopSequences = request.stop;
  }
  if (request.responseFormat !== undefined) Object.assign(config, renderResponseFormat(request.responseFormat));
  const thinking = renderThinkingConfig(request, extensions.thinkingConfig);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

/** auto → AUTO, none → NONE, required → ANY, a named tool → ANY restricted to it. */
function renderToolChoice(choice: ToolChoice): Record<string, unknown> {
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

/** `responseJsonSchema` takes JSON Schema as other formats write it; `responseSchema` only the OpenAPI subset. */
function renderResponseFormat(format: ResponseFormat): Record<string, unknown> {
  switch (format.type) {
    case 'text':
      return {};
    case 'json_object':
      return { responseMimeType: 'application/json' };
    case 'json_schema':
      return { responseMimeType: 'application/json', responseJsonSchema: format.schema };
  }
}

/**
 * Reasoning → thinkingConfig. An explicit budget is `thinkingBudget`; an effort is `thinkingLevel` when the client
 * spoke Gemini with a level (Gemini 3), else the shared effort → budget table, which every thinking Gemini model
 * accepts. Thoughts are asked for (`includeThoughts`) unless the Gemini client said otherwise, so reasoning reaches
 * clients that display it.
 */
function renderThinkingConfig(request: CanonicalRequest, extension: JsonValue | undefined): Record<string, unknown> | undefined {
  const config: Record<string, unknown> = isRecord(extension) ? { ...extension } : {};
  const reasoning = request.reasoning;
  if (reasoning !== undefined) {
    const usesLevel = 'thinkingLevel' in config;
    delete config.thinkingLevel;
    if (reasoning.budgetTokens === undefined && reasoning.effort !== undefined && usesLevel) {
      delete config.thinkingBudget;
      config.thinkingLevel = reasoning.effort.toUpperCase();
    } else {
      const budget = reasoningBudget(reasoning);
      if (budget !== undefined) config.thinkingBudget = budget;
    }
    if (config.includeThoughts === undefined) config.includeThoughts = true;
  } else {
    // A level without canonical reasoning cannot be (the parser sets both); never send a stale marker.
    delete config.thinkingLevel;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}
