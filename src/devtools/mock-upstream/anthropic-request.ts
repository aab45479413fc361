// Validation of a Messages (and count_tokens) request body, with the 400 messages the real API gives: it
// reports `<field path>: <problem>` in the style of its schema validator.
import type { AnthropicError } from './anthropic-errors.ts';
import { invalidRequest, isAnthropicError } from './anthropic-errors.ts';
import { isInteger, isRecord } from './json.ts';

/** A custom tool offered by the request. */
export interface AnthropicTool {
  name: string;
  inputSchema: unknown;
}

/** The request's tool_choice. */
export type AnthropicToolChoice = 'auto' | 'any' | 'none' | { name: string };

/** What the fake needs from a valid request. */
export interface AnthropicRequest {
  model: string;
  /** max_tokens (absent for count_tokens). */
  maxTokens: number | undefined;
  stream: boolean;
  /** Text of the system prompt and of every message, in order (input tokens are counted over these). */
  promptTexts: string[];
  lastUserText: string | undefined;
  tools: AnthropicTool[];
  toolChoice: AnthropicToolChoice;
  parallelToolUse: boolean;
  /** Thinking: off, on with a budget, or on without one (`adaptive`). */
  thinking: { budget: number | undefined } | undefined;
  stopSequences: string[];
}

/** Text of a content value: the string itself, or its text (and tool_result text) blocks joined by newlines. */
export function anthropicContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content as unknown[]) {
    if (!isRecord(block)) continue;
    if (block['type'] === 'text' && typeof block['text'] === 'string') texts.push(block['text']);
    else if (block['type'] === 'tool_result') texts.push(anthropicContentText(block['content']));
  }
  return texts.join('\n');
}

/** Text of the last user message of an unvalidated body (for fault directives), or undefined. */
export function lastAnthropicUserText(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body['messages'])) return undefined;
  const messages = body['messages'] as unknown[];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isRecord(message) && message['role'] === 'user') return anthropicContentText(message['content']);
  }
  return undefined;
}

function parseMessages(value: unknown): { texts: string[]; lastUser: string | undefined } | AnthropicError {
  if (value === undefined) return invalidRequest('messages: Field required');
  if (!Array.isArray(value)) return invalidRequest('messages: Input should be a valid list');
  if (value.length === 0) return invalidRequest('messages: at least one message is required');
  const texts: string[] = [];
  let lastUser: string | undefined;
  let previous: unknown;
  for (const [i, message] of (value as unknown[]).entries()) {
    if (!isRecord(message)) return invalidRequest(`messages.${i}: Input should be a valid dictionary`);
    const role = message['role'];
    if (role === undefined) return invalidRequest(`messages.${i}.role: Field required`);
    if (role !== 'user' && role !== 'assistant') return invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    if (i === 0 && role !== 'user') return invalidRequest('messages: first message must use the "user" role');
    if (role === previous) {
      return invalidRequest(`messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`);
    }
    const content = message['content'];
    if (content === undefined) return invalidRequest(`messages.${i}.content: Field required`);
    if (typeof content !== 'string' && !Array.isArray(content)) return invalidRequest(`messages.${i}.content: Input should be a valid string or list`);
    const text = anthropicContentText(content);
    texts.push(text);
    if (role === 'user') lastUser = text;
    previous = role;
  }
  return { texts, lastUser };
}

function parseTools(value: unknown): AnthropicTool[] | AnthropicError {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return invalidRequest('tools: Input should be a valid list');
  const tools: AnthropicTool[] = [];
  for (const [i, tool] of (value as unknown[]).entries()) {
    if (!isRecord(tool)) return invalidRequest(`tools.${i}: Input should be a valid dictionary`);
    // Server tools (web_search_20250305, bash_20250124, …) carry a dated type; the fake never calls them.
    if (tool['type'] !== undefined && tool['type'] !== null && tool['type'] !== 'custom') continue;
    if (typeof tool['name'] !== 'string' || tool['name'] === '') return invalidRequest(`tools.${i}.custom.name: Field required`);
    if (!isRecord(tool['input_schema'])) return invalidRequest(`tools.${i}.custom.input_schema: Field required`);
    tools.push({ name: tool['name'], inputSchema: tool['input_schema'] });
  }
  return tools;
}

function parseToolChoice(value: unknown, tools: AnthropicTool[]): { choice: AnthropicToolChoice; parallel: boolean } | AnthropicError {
  if (value === undefined || value === null) return { choice: 'auto', parallel: true };
  if (!isRecord(value)) return invalidRequest('tool_choice: Input should be a valid dictionary');
  const type = value['type'];
  if (type !== 'auto' && type !== 'any' && type !== 'tool' && type !== 'none') {
    return invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
  }
  const parallel = value['disable_parallel_tool_use'] !== true;
  if (type === 'auto' || type === 'none') return { choice: type, parallel };
  if (tools.length === 0) return invalidRequest('tool_choice: tool_choice may only be specified while providing tools.');
  if (type === 'any') return { choice: 'any', parallel };
  const name = value['name'];
  if (typeof name !== 'string') return invalidRequest('tool_choice.tool.name: Field required');
  if (!tools.some((tool) => tool.name === name)) return invalidRequest(`tool_choice.tool.name: Tool '${name}' not found in provided tools`);
  return { choice: { name }, parallel };
}

function parseThinking(value: unknown, maxTokens: number | undefined): AnthropicRequest['thinking'] | AnthropicError {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return invalidRequest('thinking: Input should be a valid dictionary');
  const type = value['type'];
  if (type === 'disabled') return undefined;
  if (type === 'adaptive') return { budget: undefined };
  if (type !== 'enabled') return invalidRequest("thinking.type: Input should be 'enabled', 'disabled' or 'adaptive'");
  const budget = value['budget_tokens'];
  if (budget === undefined) return invalidRequest('thinking.enabled.budget_tokens: Field required');
  if (!isInteger(budget)) return invalidRequest('thinking.enabled.budget_tokens: Input should be a valid integer');
  if (budget < 1024) return invalidRequest('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  if (maxTokens !== undefined && maxTokens <= budget) {
    return invalidRequest(
      '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
    );
  }
  return { budget };
}

function parseSystem(value: unknown): string | undefined | AnthropicError {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && !Array.isArray(value)) return invalidRequest('system: Input should be a valid string or list');
  return anthropicContentText(value);
}

function parseStopSequences(value: unknown): string[] | AnthropicError {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return invalidRequest('stop_sequences: Input should be a valid list of strings');
  return value;
}

/** Validates a Messages body (`countOnly`: a count_tokens body, where max_tokens and stream do not apply). */
export function parseAnthropicRequest(body: unknown, countOnly: boolean): AnthropicRequest | AnthropicError {
  if (!isRecord(body)) return invalidRequest('Input should be a valid dictionary');
  const model = body['model'];
  if (model === undefined) return invalidRequest('model: Field required');
  if (typeof model !== 'string' || model === '') return invalidRequest('model: Input should be a valid string');
  let maxTokens: number | undefined;
  if (!countOnly) {
    const value = body['max_tokens'];
    if (value === undefined) return invalidRequest('max_tokens: Field required');
    if (!isInteger(value)) return invalidRequest('max_tokens: Input should be a valid integer');
    if (value < 1) return invalidRequest('max_tokens: Input should be greater than or equal to 1');
    maxTokens = value;
  }
  const messages = parseMessages(body['messages']);
  if (isAnthropicError(messages)) return messages;
  const system = parseSystem(body['system']);
  if (isAnthropicError(system)) return system;
  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') return invalidRequest('stream: Input should be a valid boolean');
  const tools = parseTools(body['tools']);
  if (isAnthropicError(tools)) return tools;
  const toolChoice = parseToolChoice(body['tool_choice'], tools);
  if (isAnthropicError(toolChoice)) return toolChoice;
  const thinking = parseThinking(body['thinking'], maxTokens);
  if (isAnthropicError(thinking)) return thinking;
  if (thinking !== undefined && (toolChoice.choice === 'any' || typeof toolChoice.choice === 'object')) {
    return invalidRequest('Thinking may not be enabled when tool_choice forces tool use.');
  }
  const stopSequences = parseStopSequences(body['stop_sequences']);
  if (isAnthropicError(stopSequences)) return stopSequences;
  return {
    model,
    maxTokens,
    stream: countOnly ? false : stream,
    promptTexts: system === undefined ? messages.texts : [system, ...messages.texts],
    lastUserText: messages.lastUser,
    tools,
    toolChoice: toolChoice.choice,
    parallelToolUse: toolChoice.parallel,
    thinking,
    stopSequences,
  };
}
