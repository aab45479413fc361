/**
 * CanonicalRequest → Anthropic Messages API body for an upstream (`POST /v1/messages`).
 * Wire shape: API reference, "Messages" → "Create a Message" (MessageCreateParams in anthropic-sdk-typescript) and
 * the "Extended thinking" guide. Choices where the canonical request says more or less than Anthropic can:
 *  - `max_tokens` is required by Anthropic; without one, 4096 tokens are allowed for the answer (plus the thinking
 *    budget when thinking is on);
 *  - thinking needs 1024 ≤ budget_tokens < max_tokens. A smaller budget is raised to 1024. A client cap at or below
 *    the budget is kept (it caps all output, as OpenAI's max_completion_tokens caps reasoning too) and the budget is
 *    lowered to fit under it; a cap of 1024 or less leaves no room for thinking and is refused;
 *  - `response_format` json_schema becomes `output_config.format` (structured outputs); json_object has no
 *    schema-less counterpart and is refused;
 *  - temperature above 1 (OpenAI allows 2) is refused rather than clamped;
 *  - `tool_choice` is sent only with tools (Anthropic refuses it alone); parallelToolCalls=false becomes
 *    `disable_parallel_tool_use`.
 */
import { FormatError } from '../canonical/format-error.ts';
import { reasoningBudget } from '../canonical/reasoning.ts';
import type { CanonicalRequest, JsonObject, ToolDefinition } from '../canonical/types.ts';
import { readRequestExtensions, type RequestExtensions } from './extensions.ts';
import { MIN_THINKING_BUDGET } from './parse-tools.ts';
import { renderConversation } from './render-messages.ts';
import { isRecord } from './wire-checks.ts';

/** The answer allowance used when the canonical request sets no max_tokens. */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * Render a request body. `extensions.anthropic.fields` (top-level fields only Anthropic knows) is spread first,
 * and every canonical field is written after it and wins.
 */
export function renderMessagesRequest(request: CanonicalRequest): Record<string, unknown> {
  const ext = readRequestExtensions(request.extensions);
  const { thinking: _thinking, output_config: _outputConfig, ...fields } = ext.fields;
  const conversation = renderConversation(request, ext);
  // model, max_tokens and messages are listed first only so logged bodies read naturally.
  const body: Record<string, unknown> = { model: request.model, max_tokens: DEFAULT_MAX_TOKENS, messages: conversation.messages, ...fields };
  body.model = request.model;
  body.messages = conversation.messages;
  if (conversation.system !== undefined) body.system = conversation.system;
  renderThinking(request, ext, body);
  if (request.stream) body.stream = true;

  if (request.temperature !== undefined) {
    if (request.temperature > 1) throw new FormatError('temperature must be between 0 and 1 for Anthropic providers', 'temperature');
    body.temperature = request.temperature;
  }
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool, i) => renderTool(tool, ext.cacheControl(`tools.${i}`)));
    const choice = renderToolChoice(request);
    if (choice !== undefined) body.tool_choice = choice;
  }
  assertThinkingCompatible(body);
  const outputConfig = renderOutputConfig(request, ext);
  if (outputConfig !== undefined) body.output_config = outputConfig;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  return body;
}

function renderThinking(request: CanonicalRequest, ext: RequestExtensions, body: Record<string, unknown>): void {
  const passthrough = isRecord(ext.fields.thinking) ? ext.fields.thinking : undefined;
  const maxTokens = request.maxTokens;
  body.max_tokens = maxTokens ?? DEFAULT_MAX_TOKENS;
  // An effort an Anthropic client gave natively (output_config.effort) is sent back natively, not turned into a
  // budget: only an explicit budget, or an effort from another format, turns thinking on.
  const nativeEffort = isRecord(ext.fields.output_config) && ext.fields.output_config.effort !== undefined;
  const budget = nativeEffort ? request.reasoning?.budgetTokens : reasoningBudget(request.reasoning);
  if (budget === undefined) {
    if (passthrough !== undefined) body.thinking = passthrough;
    return;
  }
  if (budget <= 0) {
    body.thinking = { type: 'disabled' };
    return;
  }
  let budgetTokens = Math.max(budget, MIN_THINKING_BUDGET);
  if (maxTokens === undefined) {
    body.max_tokens = budgetTokens + DEFAULT_MAX_TOKENS;
  } else {
    if (maxTokens <= MIN_THINKING_BUDGET) {
      throw new FormatError(`Reasoning with an Anthropic provider needs max_tokens above ${MIN_THINKING_BUDGET} (the minimum thinking budget)`, 'max_tokens');
    }
    budgetTokens = Math.min(budgetTokens, maxTokens - 1);
  }
  const thinking: JsonObject = { type: 'enabled', budget_tokens: budgetTokens };
  if (passthrough?.type === 'enabled' && typeof passthrough.display === 'string') thinking.display = passthrough.display;
  body.thinking = thinking;
}

/**
 * Extended thinking cannot be combined with a forced tool choice, nor with temperature/top_k changes ("Extended
 * thinking" guide, feature compatibility). Anthropic would answer 400; the client gets the reason instead.
 */
function assertThinkingCompatible(body: Record<string, unknown>): void {
  if (!isRecord(body.thinking) || body.thinking.type !== 'enabled') return;
  const choice = body.tool_choice;
  if (isRecord(choice) && (choice.type === 'any' || choice.type === 'tool')) {
    throw new FormatError('Thinking cannot be combined with a forced tool choice on Anthropic providers; use tool_choice auto or turn reasoning off', 'tool_choice');
  }
  if (body.temperature !== undefined && body.temperature !== 1) {
    throw new FormatError('Thinking on Anthropic providers needs the default temperature (1); drop temperature or turn reasoning off', 'temperature');
  }
  if (body.top_k !== undefined) throw new FormatError('Thinking on Anthropic providers cannot be combined with top_k', 'top_k');
}

function renderOutputConfig(request: CanonicalRequest, ext: RequestExtensions): JsonObject | undefined {
  const config: JsonObject = isRecord(ext.fields.output_config) ? { ...ext.fields.output_config } : {};
  const format = request.responseFormat;
  if (format?.type === 'json_object') {
    throw new FormatError('response_format json_object is not supported by Anthropic providers; use json_schema', 'response_format');
  }
  if (format?.type === 'json_schema') config.format = { type: 'json_schema', schema: format.schema };
  return Object.keys(config).length > 0 ? config : undefined;
}

function renderTool(tool: ToolDefinition, cache: JsonObject | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined) out.description = tool.description;
  // Anthropic requires an object schema; OpenAI lets a function declare none (no arguments).
  out.input_schema = tool.parameters.type === undefined ? { type: 'object', ...tool.parameters } : tool.parameters;
  if (tool.strict !== undefined) out.strict = tool.strict;
  if (cache !== undefined) out.cache_control = cache;
  return out;
}

function renderToolChoice(request: CanonicalRequest): Record<string, unknown> | undefined {
  const choice = request.toolChoice;
  const disableParallel = request.parallelToolCalls === false;
  if (choice?.type === 'none') return { type: 'none' };
  let out: Record<string, unknown>;
  if (choice === undefined) {
    if (!disableParallel) return undefined;
    out = { type: 'auto' };
  } else if (choice.type === 'tool') {
    out = { type: 'tool', name: choice.name };
  } else {
    out = { type: choice.type === 'required' ? 'any' : 'auto' };
  }
  if (disableParallel) out.disable_parallel_tool_use = true;
  return out;
}
