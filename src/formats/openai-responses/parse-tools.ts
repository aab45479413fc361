/**
 * OpenAI Responses `tools`, `tool_choice` and `text.format` → canonical.
 * Wire shapes: API reference, "Create a model response" (`POST /v1/responses`): FunctionTool, the built-in tool
 * types, ToolChoiceOptions / ToolChoiceFunction, ResponseFormatTextConfig in openai-node
 * `src/resources/responses/responses.ts`. Unlike Chat Completions, tools and formats are flat (no `function` or
 * `json_schema` wrapper object).
 */
import type { JsonObject, ResponseFormat, ToolChoice, ToolDefinition } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { expectArray, expectBoolean, expectJsonObject, expectRecord, expectString, fail, wireName } from '../openai-chat/wire-checks.ts';

/** OpenAI: function names "must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64". */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Tools OpenAI runs on its own servers (web search, file search, computer use, code interpreter, image generation,
 * remote MCP, shells, patching, tool search). A gateway that forwards to other providers cannot run them, and
 * quietly dropping them would let the model answer as if it had searched; so they are refused by name.
 */
const HOSTED_TOOL_TYPES = new Set([
  'web_search',
  'web_search_preview',
  'web_search_2025_08_26',
  'web_search_preview_2025_03_11',
  'file_search',
  'computer',
  'computer_use_preview',
  'code_interpreter',
  'image_generation',
  'mcp',
  'local_shell',
  'shell',
  'apply_patch',
  'tool_search',
  'programmatic_tool_calling',
]);

/** Parse `tools`: only `function` tools have a canonical form. */
export function parseTools(value: unknown): ToolDefinition[] {
  const list = expectArray(value, 'tools');
  const tools: ToolDefinition[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `tools[${i}]`;
    const tool = expectRecord(list[i], param);
    if (tool.type !== 'function') {
      if (typeof tool.type === 'string' && HOSTED_TOOL_TYPES.has(tool.type)) {
        fail(
          `The built-in tool ${wireName(tool.type)} is not supported: OpenAI runs it on its own servers, and this gateway cannot run it for other providers; define a function tool instead`,
          `${param}.type`,
        );
      }
      fail(`Tool type ${wireName(tool.type)} is not supported; only function tools are`, `${param}.type`);
    }
    const name = expectString(tool.name, `${param}.name`);
    if (!FUNCTION_NAME.test(name)) fail('Function names must match ^[a-zA-Z0-9_-]{1,64}$', `${param}.name`);
    const definition: ToolDefinition = {
      name,
      // `parameters` is nullable on the wire; null or absent means a function without arguments.
      parameters: isAbsent(tool.parameters) ? emptyParameters() : expectJsonObject(tool.parameters, `${param}.parameters`),
    };
    if (!isAbsent(tool.description)) definition.description = expectString(tool.description, `${param}.description`);
    // Omitted `strict` means "strict when the schema allows it" on Responses; left unset, the provider decides.
    if (!isAbsent(tool.strict)) definition.strict = expectBoolean(tool.strict, `${param}.strict`);
    tools.push(definition);
  }
  return tools;
}

/** Parse `tool_choice`: a mode string or `{type: 'function', name}`. Hosted-tool and allowed-tools choices are refused. */
export function parseToolChoice(value: unknown): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (typeof value === 'string') fail('tool_choice must be auto, none, required or a function', 'tool_choice');
  const choice = expectRecord(value, 'tool_choice');
  if (choice.type !== 'function') {
    fail(`tool_choice type ${wireName(choice.type)} is not supported; only function`, 'tool_choice.type');
  }
  const name = expectString(choice.name, 'tool_choice.name');
  if (name.length === 0) fail('tool_choice.name must not be empty', 'tool_choice.name');
  return { type: 'tool', name };
}

/** Parse `text.format` (ResponseFormatTextConfig). */
export function parseTextFormat(value: unknown): ResponseFormat {
  const param = 'text.format';
  const format = expectRecord(value, param);
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const name = expectString(format.name, `${param}.name`);
      if (name.length === 0) fail(`${param}.name must not be empty`, `${param}.name`);
      const result: ResponseFormat = { type: 'json_schema', name, schema: expectJsonObject(format.schema, `${param}.schema`) };
      if (!isAbsent(format.strict)) result.strict = expectBoolean(format.strict, `${param}.strict`);
      if (!isAbsent(format.description)) result.description = expectString(format.description, `${param}.description`);
      return result;
    }
    default:
      return fail(`${param}.type must be text, json_object or json_schema`, `${param}.type`);
  }
}

function emptyParameters(): JsonObject {
  return { type: 'object', properties: {} };
}
