/**
 * OpenAI Chat `tools`, `tool_choice` and `response_format` → canonical.
 * Wire shapes: API reference, "Create chat completion" (ChatCompletionTool, ChatCompletionToolChoiceOption,
 * ResponseFormatText / ResponseFormatJSONObject / ResponseFormatJSONSchema in openai-node).
 */
import type { JsonObject, ResponseFormat, ToolChoice, ToolDefinition } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { expectArray, expectBoolean, expectJsonObject, expectRecord, expectString, fail, wireName } from './wire-checks.ts';

/** OpenAI: "Must be a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64." */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** What an omitted `parameters` means per the reference: a function that takes no arguments. */
function emptyParameters(): JsonObject {
  return { type: 'object', properties: {} };
}

/** Parse `tools`; only `function` tools have a canonical form, so any other type is refused by name. */
export function parseTools(value: unknown): ToolDefinition[] {
  const list = expectArray(value, 'tools');
  const tools: ToolDefinition[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `tools[${i}]`;
    const tool = expectRecord(list[i], param);
    if (tool.type !== 'function') {
      fail(`Tool type ${wireName(tool.type)} is not supported; only function`, `${param}.type`);
    }
    const fn = expectRecord(tool.function, `${param}.function`);
    const name = expectString(fn.name, `${param}.function.name`);
    if (!FUNCTION_NAME.test(name)) fail('Function names must match ^[a-zA-Z0-9_-]{1,64}$', `${param}.function.name`);
    const definition: ToolDefinition = {
      name,
      parameters: isAbsent(fn.parameters) ? emptyParameters() : expectJsonObject(fn.parameters, `${param}.function.parameters`),
    };
    if (!isAbsent(fn.description)) definition.description = expectString(fn.description, `${param}.function.description`);
    if (!isAbsent(fn.strict)) definition.strict = expectBoolean(fn.strict, `${param}.function.strict`);
    tools.push(definition);
  }
  return tools;
}

/** Parse `tool_choice`: a mode string or a named function. `allowed_tools` and `custom` have no canonical form. */
export function parseToolChoice(value: unknown): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (typeof value === 'string') fail('tool_choice must be auto, none, required or a function', 'tool_choice');
  const choice = expectRecord(value, 'tool_choice');
  if (choice.type !== 'function') {
    fail(`tool_choice type ${wireName(choice.type)} is not supported; only function`, 'tool_choice.type');
  }
  const fn = expectRecord(choice.function, 'tool_choice.function');
  const name = expectString(fn.name, 'tool_choice.function.name');
  if (name.length === 0) fail('tool_choice.function.name must not be empty', 'tool_choice.function.name');
  return { type: 'tool', name };
}

/** Parse `response_format`. */
export function parseResponseFormat(value: unknown): ResponseFormat {
  const format = expectRecord(value, 'response_format');
  switch (format.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const spec = expectRecord(format.json_schema, 'response_format.json_schema');
      const name = expectString(spec.name, 'response_format.json_schema.name');
      if (name.length === 0) fail('response_format.json_schema.name must not be empty', 'response_format.json_schema.name');
      const result: ResponseFormat = {
        type: 'json_schema',
        name,
        // The schema is optional on the wire; an empty schema constrains nothing, which is what omitting it means.
        schema: isAbsent(spec.schema) ? {} : expectJsonObject(spec.schema, 'response_format.json_schema.schema'),
      };
      if (!isAbsent(spec.strict)) result.strict = expectBoolean(spec.strict, 'response_format.json_schema.strict');
      if (!isAbsent(spec.description)) result.description = expectString(spec.description, 'response_format.json_schema.description');
      return result;
    }
    default:
      return fail('response_format.type must be text, json_object or json_schema', 'response_format.type');
  }
}

