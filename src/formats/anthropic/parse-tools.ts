/**
 * Anthropic `tools`, `tool_choice`, `thinking` and `output_config` → canonical.
 * Wire shapes: API reference, "Messages" (Tool, ToolChoice, ThinkingConfigParam, OutputConfig in
 * anthropic-sdk-typescript) and the "Extended thinking" guide (budget_tokens ≥ 1024 and < max_tokens).
 */
import { reasoningEffort } from '../canonical/reasoning.ts';
import type { CanonicalRequest, JsonObject, ToolChoice, ToolDefinition } from '../canonical/types.ts';
import { parseCacheControl } from './parse-content.ts';
import type { RequestExtensionsBuilder } from './extensions.ts';
import { expectArray, expectBoolean, expectInteger, expectJsonObject, expectNonEmptyString, expectRecord, expectString, fail, isAbsent, prefixed, wireName } from './wire-checks.ts';

/** Anthropic: tool names match `^[a-zA-Z0-9_-]{1,128}$` (Tool.name in the API reference). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** Anthropic's minimum thinking budget ("Must be ≥1024 and less than max_tokens"). */
export const MIN_THINKING_BUDGET = 1024;

/**
 * Parse `tools`. Only custom tools (no `type`, or `type: "custom"`) have a canonical form; Anthropic server tools
 * (web_search, bash, computer, text_editor, code_execution, …) run inside Anthropic and are refused by name.
 * Custom-tool extras without a canonical home (defer_loading, input_examples, eager_input_streaming,
 * allowed_callers) are ignored.
 */
export function parseTools(value: unknown, ext: RequestExtensionsBuilder): ToolDefinition[] {
  const list = expectArray(value, 'tools');
  const tools: ToolDefinition[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `tools.${i}`;
    const tool = expectRecord(list[i], param);
    if (!isAbsent(tool.type) && tool.type !== 'custom') {
      fail(`Tool type ${wireName(tool.type)} is an Anthropic server tool, which Rampart does not support; only custom tools with input_schema`, `${param}.type`);
    }
    const name = expectString(tool.name, `${param}.name`);
    if (!TOOL_NAME.test(name)) fail('Tool names must match ^[a-zA-Z0-9_-]{1,128}$', `${param}.name`);
    const schema = expectJsonObject(tool.input_schema, `${param}.input_schema`);
    if (schema.type !== 'object') fail('input_schema.type must be "object"', `${param}.input_schema.type`);
    const definition: ToolDefinition = { name, parameters: schema };
    if (!isAbsent(tool.description)) definition.description = expectString(tool.description, `${param}.description`);
    if (!isAbsent(tool.strict)) definition.strict = expectBoolean(tool.strict, `${param}.strict`);
    if (!isAbsent(tool.cache_control)) ext.cacheControl[param] = parseCacheControl(tool.cache_control, `${param}.cache_control`);
    tools.push(definition);
  }
  return tools;
}

/** Parse `tool_choice`; `disable_parallel_tool_use` becomes the canonical parallelToolCalls. */
export function parseToolChoice(value: unknown, request: CanonicalRequest): void {
  const choice = expectRecord(value, 'tool_choice');
  let canonical: ToolChoice;
  switch (choice.type) {
    case 'auto':
      canonical = { type: 'auto' };
      break;
    case 'any':
      canonical = { type: 'required' };
      break;
    case 'none':
      canonical = { type: 'none' };
      break;
    case 'tool':
      canonical = { type: 'tool', name: expectNonEmptyString(choice.name, 'tool_choice.name') };
      break;
    default:
      return fail('tool_choice.type must be auto, any, tool or none', 'tool_choice.type');
  }
  request.toolChoice = canonical;
  if (choice.type !== 'none' && !isAbsent(choice.disable_parallel_tool_use)) {
    request.parallelToolCalls = !expectBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  }
}

/**
 * Parse `thinking`. `enabled` carries its budget AND the effort level the shared table gives for it, because
 * effort-only formats (OpenAI) do not guess from a budget. `disabled` is a budget of 0, which every format reads as
 * "no reasoning". `adaptive` (the model decides) has no canonical form: it rides in the extensions for an
 * Anthropic upstream, other providers see no preference. `display` rides along the same way.
 */
export function parseThinking(value: unknown, request: CanonicalRequest, ext: RequestExtensionsBuilder): void {
  const thinking = expectRecord(value, 'thinking');
  switch (thinking.type) {
    case 'enabled': {
      const budget = expectInteger(thinking.budget_tokens, 'thinking.budget_tokens', MIN_THINKING_BUDGET);
      if (request.maxTokens !== undefined && budget >= request.maxTokens) {
        fail('thinking.budget_tokens must be less than max_tokens', 'thinking.budget_tokens');
      }
      request.reasoning = { budgetTokens: budget, effort: reasoningEffort({ budgetTokens: budget }) };
      break;
    }
    case 'disabled':
      request.reasoning = { budgetTokens: 0 };
      return;
    case 'adaptive':
      ext.fields.thinking = { type: 'adaptive' };
      break;
    default:
      return fail('thinking.type must be enabled, disabled or adaptive', 'thinking.type');
  }
  if (!isAbsent(thinking.display)) {
    if (thinking.display !== 'summarized' && thinking.display !== 'omitted') fail('thinking.display must be summarized or omitted', 'thinking.display');
    ext.fields.thinking = { ...(ext.fields.thinking as JsonObject | undefined), type: thinking.type, display: thinking.display };
  }
}

/**
 * Parse `output_config`: `format` (structured outputs, a JSON schema) is the canonical responseFormat; `effort`
 * low/medium/high is also the canonical reasoning effort (Anthropic-only levels xhigh and max are not).
 */
export function parseOutputConfig(value: unknown, request: CanonicalRequest, ext: RequestExtensionsBuilder): void {
  const config = expectRecord(value, 'output_config');
  for (const key of Object.keys(config)) {
    if (key !== 'format' && key !== 'effort') fail(`Unknown field ${wireName(key)} in output_config: Extra inputs are not permitted`, prefixed('output_config', key));
  }
  if (!isAbsent(config.format)) {
    const format = expectRecord(config.format, 'output_config.format');
    if (format.type !== 'json_schema') fail('output_config.format.type must be "json_schema"', 'output_config.format.type');
    request.responseFormat = { type: 'json_schema', name: 'response', schema: expectJsonObject(format.schema, 'output_config.format.schema'), strict: true };
  }
  const effort = config.effort;
  if (isAbsent(effort)) return;
  if (effort !== 'low' && effort !== 'medium' && effort !== 'high' && effort !== 'xhigh' && effort !== 'max') {
    fail('output_config.effort must be low, medium, high, xhigh or max', 'output_config.effort');
  }
  // Kept verbatim for an Anthropic upstream, which gets the client's native setting back (see render-request.ts).
  ext.fields.output_config = { effort };
  if (effort === 'low' || effort === 'medium' || effort === 'high') request.reasoning = { ...request.reasoning, effort };
}
