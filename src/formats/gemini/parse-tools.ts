/**
 * A client's Gemini `tools` and `toolConfig` → canonical tool definitions and tool choice.
 * Wire shape: `Tool`, `FunctionDeclaration`, `ToolConfig`, `FunctionCallingConfig` in ai.google.dev/api/caching#Tool.
 */
import type { JsonObject, JsonValue, ToolChoice, ToolDefinition } from '../canonical/types.ts';
import { schemaToJsonSchema } from './schema.ts';
import { expectArray, expectJsonObject, expectString, fail, isAbsent, join, readFields, wireName } from './wire-checks.ts';

/** Gemini's built-in tools: executed by Google, so only a Gemini upstream can honour them (see parseTools). */
const BUILT_IN_TOOLS = ['googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'fileSearch', 'googleMaps', 'computerUse'];
const TOOL_FIELDS = new Set(['functionDeclarations', ...BUILT_IN_TOOLS]);
const DECLARATION_FIELDS = new Set(['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema']);
const TOOL_CONFIG_FIELDS = new Set(['functionCallingConfig', 'retrievalConfig', 'includeServerSideToolInvocations']);
const CALLING_FIELDS = new Set(['mode', 'allowedFunctionNames']);

/**
 * FunctionDeclaration.name: "Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain
 * underscores, dots, colons and dashes, with a maximum length of 128."
 */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

/** The canonical view of `tools`: function declarations, plus built-in tools kept for a Gemini upstream. */
export interface ParsedTools {
  tools: ToolDefinition[];
  builtIn: JsonObject[];
}

/**
 * Parse `tools`. Function declarations become canonical tools. Built-in tools (Google Search, code execution, URL
 * context, …) have no canonical form; they ride in `extensions.gemini.tools`, so a Gemini upstream still runs them
 * and any other upstream answers without them.
 */
export function parseTools(value: unknown, param: string): ParsedTools {
  const list = expectArray(value, param);
  const result: ParsedTools = { tools: [], builtIn: [] };
  for (let i = 0; i < list.length; i++) {
    const toolParam = `${param}[${i}]`;
    const tool = readFields(list[i], toolParam, TOOL_FIELDS);
    const builtIn: JsonObject = {};
    for (const key of BUILT_IN_TOOLS) {
      if (!isAbsent(tool[key])) builtIn[key] = expectJsonObject(tool[key], join(toolParam, key));
    }
    if (Object.keys(builtIn).length > 0) result.builtIn.push(builtIn);
    if (isAbsent(tool.functionDeclarations)) continue;
    const declarations = expectArray(tool.functionDeclarations, join(toolParam, 'functionDeclarations'));
    for (let j = 0; j < declarations.length; j++) {
      result.tools.push(parseDeclaration(declarations[j], `${join(toolParam, 'functionDeclarations')}[${j}]`));
    }
  }
  return result;
}

function parseDeclaration(value: unknown, param: string): ToolDefinition {
  const declaration = readFields(value, param, DECLARATION_FIELDS);
  const name = expectString(declaration.name, join(param, 'name'));
  if (!FUNCTION_NAME.test(name)) fail('Function names must match ^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$', join(param, 'name'));
  if (!isAbsent(declaration.parameters) && !isAbsent(declaration.parametersJsonSchema)) {
    fail('parameters and parametersJsonSchema are mutually exclusive', join(param, 'parametersJsonSchema'));
  }
  let parameters: JsonObject;
  if (!isAbsent(declaration.parametersJsonSchema)) {
    parameters = expectJsonObject(declaration.parametersJsonSchema, join(param, 'parametersJsonSchema'));
  } else if (!isAbsent(declaration.parameters)) {
    parameters = schemaToJsonSchema(declaration.parameters, join(param, 'parameters'));
  } else {
    // "For function with no parameters, this can be left unset."
    parameters = { type: 'object', properties: {} };
  }
  const tool: ToolDefinition = { name, parameters };
  if (!isAbsent(declaration.description)) tool.description = expectString(declaration.description, join(param, 'description'));
  // `response` / `responseJsonSchema` only describe what the function returns; no other format can say it, and
  // leaving it out changes nothing about what the model may call.
  return tool;
}

/** The canonical view of `toolConfig`. */
export interface ParsedToolConfig {
  toolChoice?: ToolChoice;
  /** With mode ANY and several allowed names, the tool list is narrowed to them (see parseToolConfig). */
  allowedNames?: string[];
  /** retrievalConfig / includeServerSideToolInvocations: only meaningful to a Gemini upstream. */
  rest: JsonObject;
}

/**
 * Parse `toolConfig.functionCallingConfig`. AUTO → auto, NONE → none, ANY → required, ANY with one allowed name →
 * that tool. ANY with several allowed names has no canonical form; since the model must then call one of them, the
 * request keeps only those tools and says `required`, which constrains the answer the same way. VALIDATED (function
 * calls checked by constrained decoding, the model may still answer in text) is `auto` everywhere else.
 */
export function parseToolConfig(value: unknown, param: string, tools: ToolDefinition[]): ParsedToolConfig {
  const config = readFields(value, param, TOOL_CONFIG_FIELDS);
  const result: ParsedToolConfig = { rest: {} };
  if (!isAbsent(config.retrievalConfig)) result.rest.retrievalConfig = expectJsonObject(config.retrievalConfig, join(param, 'retrievalConfig'));
  if (!isAbsent(config.includeServerSideToolInvocations)) {
    result.rest.includeServerSideToolInvocations = config.includeServerSideToolInvocations as JsonValue;
  }
  if (isAbsent(config.functionCallingConfig)) return result;
  const callingParam = join(param, 'functionCallingConfig');
  const calling = readFields(config.functionCallingConfig, callingParam, CALLING_FIELDS);
  const mode = isAbsent(calling.mode) ? 'MODE_UNSPECIFIED' : expectString(calling.mode, join(callingParam, 'mode'));
  const names = isAbsent(calling.allowedFunctionNames)
    ? undefined
    : expectArray(calling.allowedFunctionNames, join(callingParam, 'allowedFunctionNames')).map((name, k) =>
        expectString(name, `${join(callingParam, 'allowedFunctionNames')}[${k}]`),
      );
  // "allowedFunctionNames should only be set when the Mode is ANY" (FunctionCallingConfig reference).
  if (names !== undefined && mode !== 'ANY') fail('allowedFunctionNames may only be set with mode ANY', join(callingParam, 'allowedFunctionNames'));
  switch (mode) {
    case 'MODE_UNSPECIFIED':
      break;
    case 'AUTO':
    case 'VALIDATED':
      result.toolChoice = { type: 'auto' };
      break;
    case 'NONE':
      result.toolChoice = { type: 'none' };
      break;
    case 'ANY': {
      if (names === undefined || names.length === 0) {
        result.toolChoice = { type: 'required' };
        break;
      }
      for (let k = 0; k < names.length; k++) {
        if (!tools.some((tool) => tool.name === names[k])) {
          fail(`allowedFunctionNames names ${wireName(names[k])}, which is not a declared function`, `${join(callingParam, 'allowedFunctionNames')}[${k}]`);
        }
      }
      const [only] = names;
      if (names.length === 1 && only !== undefined) result.toolChoice = { type: 'tool', name: only };
      else {
        result.toolChoice = { type: 'required' };
        result.allowedNames = names;
      }
      break;
    }
    default:
      fail('mode must be one of AUTO, ANY, NONE, VALIDATED', join(callingParam, 'mode'));
  }
  return result;
}
