/**
 * CanonicalRequest → OpenAI Chat Completions request body for an upstream (the inverse of parseChatRequest).
 * Wire shape: API reference, "Create chat completion" (ChatCompletionCreateParams in openai-node).
 */
import type { CanonicalRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../canonical/types.ts';
import { FormatError } from '../canonical/format-error.ts';
import { reasoningEffort } from '../canonical/reasoning.ts';
import { renderMessages } from './render-messages.ts';
import { isRecord } from './wire-checks.ts';

/**
 * Render a request body. `extensions.openaiChat` is spread first, so fields only OpenAI knows reach the upstream,
 * and every canonical field is written after it and wins.
 */
export function renderChatRequest(request: CanonicalRequest): Record<string, unknown> {
  // Never drop a sampling control silently: the caller gets a 400 naming it instead.
  if (request.topK !== undefined) throw new FormatError('top_k is not supported by OpenAI Chat Completions providers', 'top_k');
  const extensions = request.extensions?.openaiChat;
  // model and messages are listed first only so logged bodies read naturally; their values are set below.
  const body: Record<string, unknown> = { model: request.model, messages: null, ...extensions };
  body.model = request.model;
  body.messages = renderMessages(request);
  // These extension keys are markers/partial values owned by the canonical fields below, never sent as they are.
  delete body.max_completion_tokens;
  delete body.stream_options;

  if (request.stream) {
    body.stream = true;
    // The gateway settles token accounting from the final usage chunk, so usage is always requested upstream,
    // whatever the client asked for (its wish is kept in `streamUsage` and honoured when rendering to it).
    const streamOptions = extensions?.stream_options;
    body.stream_options = { ...(isRecord(streamOptions) ? streamOptions : undefined), include_usage: true };
  } else {
    delete body.stream;
  }

  if (request.maxTokens !== undefined) {
    // `max_tokens` by default: every OpenAI-compatible server understands it. `max_completion_tokens` only when the
    // client used it (it then sits in the extensions), so an OpenAI-to-OpenAI round trip keeps the client's choice.
    if (extensions !== undefined && 'max_completion_tokens' in extensions) body.max_completion_tokens = request.maxTokens;
    else body.max_tokens = request.maxTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.tools !== undefined) body.tools = request.tools.map(renderTool);
  if (request.toolChoice !== undefined) body.tool_choice = renderToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat !== undefined) body.response_format = renderResponseFormat(request.responseFormat);
  // A thinking budget (Anthropic/Gemini) has no Chat Completions field: it maps to the nearest effort level through the
  // shared table, so a Claude Code or Gemini CLI budget still asks an OpenAI reasoning model to think.
  const effort = reasoningEffort(request.reasoning);
  if (effort !== undefined && !(request.reasoning?.budgetTokens === 0 && request.reasoning.effort === undefined)) body.reasoning_effort = effort;
  if (request.user !== undefined) body.user = request.user;
  return body;
}

function renderTool(tool: ToolDefinition): Record<string, unknown> {
  const fn: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  fn.parameters = tool.parameters;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function renderToolChoice(choice: ToolChoice): string | Record<string, unknown> {
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  return choice.type;
}

function renderResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  const spec: Record<string, unknown> = { name: format.name };
  if (format.description !== undefined) spec.description = format.description;
  spec.schema = format.schema;
  if (format.strict !== undefined) spec.strict = format.strict;
  return { type: 'json_schema', json_schema: spec };
}
