// Validation of a Chat Completions request body, with the 400 errors (message, param, code) the real API gives.
// Only what the fake needs is extracted; fields it does not model are accepted and ignored, as OpenAI ignores
// nothing but also rejects nothing a real client sends.
import type { OpenAIError } from './openai-errors.ts';
import { invalidType, missingParameter, openaiError } from './openai-errors.ts';

/** A function tool offered by the request. */
export interface ChatTool {
  name: string;
  parameters: unknown;
}

/** The request's tool_choice, normalised. */
export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

/** What the fake needs from a valid request. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  includeUsage: boolean;
  includeObfuscation: boolean;
  /** max_completion_tokens, else max_tokens. */
  maxTokens: number | undefined;
  /** Text of every message, in order (prompt tokens are counted over these). */
  messageTexts: string[];
  /** Text of the last user message, if any. */
  lastUserText: string | undefined;
  tools: ChatTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  /** The service_tier the response reports. */
  serviceTier: string;
}

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** Text of a message's content: the string itself, or its text parts joined by newlines. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string') texts.push(part['text']);
  }
  return texts.join('\n');
}

/** Text of the last user message of an unvalidated body (for fault directives), or undefined. */
export function lastUserMessageText(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body['messages'])) return undefined;
  const messages: unknown[] = body['messages'];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (isRecord(message) && message['role'] === 'user') return contentText(message['content']);
  }
  return undefined;
}

function positiveInteger(body: Record<string, unknown>, param: string): number | undefined | OpenAIError {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return invalidType(param, 'an integer', value);
  if (value < 1) {
    return openaiError(400, `Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`, {
      param,
      code: 'integer_below_min_value',
    });
  }
  return value;
}

function optionalBoolean(body: Record<string, unknown>, param: string, fallback: boolean): boolean | OpenAIError {
  const value = body[param];
  if (value === undefined || value === null) return fallback;
  return typeof value === 'boolean' ? value : invalidType(param, 'a boolean', value);
}

function parseMessages(value: unknown): { texts: string[]; lastUser: string | undefined } | OpenAIError {
  if (value === undefined) return missingParameter('messages');
  if (!Array.isArray(value)) return invalidType('messages', 'an array', value);
  if (value.length === 0) {
    return openaiError(400, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", {
      param: 'messages',
      code: 'empty_array',
    });
  }
  const texts: string[] = [];
  let lastUser: string | undefined;
  for (const [i, message] of (value as unknown[]).entries()) {
    const at = `messages[${i}]`;
    if (!isRecord(message)) return invalidType(at, 'an object', message);
    const role = message['role'];
    if (role === undefined) return missingParameter(`${at}.role`);
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return openaiError(400, `Invalid value: '${show(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, {
        param: `${at}.role`,
        code: 'invalid_value',
      });
    }
    const content = message['content'];
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      return invalidType(`${at}.content`, 'one of a string or array of objects', content);
    }
    const text = contentText(content);
    texts.push(text);
    if (role === 'user') lastUser = text;
  }
  return { texts, lastUser };
}

function parseTools(value: unknown): ChatTool[] | OpenAIError {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return invalidType('tools', 'an array', value);
  const tools: ChatTool[] = [];
  for (const [i, tool] of (value as unknown[]).entries()) {
    if (!isRecord(tool)) return invalidType(`tools[${i}]`, 'an object', tool);
    if (tool['type'] === 'custom') continue; // Custom (free-form) tools exist but the fake never calls them.
    if (tool['type'] !== 'function') return openaiError(400, `Invalid value: '${show(tool['type'])}'. Supported values are: 'function' and 'custom'.`, { param: `tools[${i}].type`, code: 'invalid_value' });
    const fn = tool['function'];
    if (!isRecord(fn)) return fn === undefined ? missingParameter(`tools[${i}].function`) : invalidType(`tools[${i}].function`, 'an object', fn);
    if (typeof fn['name'] !== 'string') return fn['name'] === undefined ? missingParameter(`tools[${i}].function.name`) : invalidType(`tools[${i}].function.name`, 'a string', fn['name']);
    tools.push({ name: fn['name'], parameters: fn['parameters'] });
  }
  return tools;
}

function parseToolChoice(value: unknown, tools: ChatTool[]): ToolChoice | OpenAIError {
  if (value === undefined || value === null) return tools.length > 0 ? 'auto' : 'none';
  let choice: ToolChoice | undefined;
  if (value === 'none' || value === 'auto' || value === 'required') choice = value;
  else if (isRecord(value) && value['type'] === 'function' && isRecord(value['function']) && typeof value['function']['name'] === 'string') {
    choice = { name: value['function']['name'] };
  }
  if (choice === undefined) {
    return openaiError(400, "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a named function.", { param: 'tool_choice', code: 'invalid_value' });
  }
  if (choice !== 'none' && tools.length === 0) {
    return openaiError(400, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { param: 'tool_choice' });
  }
  if (typeof choice === 'object' && !tools.some((tool) => tool.name === choice.name)) {
    return openaiError(400, `Invalid value for 'tool_choice': function '${choice.name}' is not among 'tools'.`, { param: 'tool_choice', code: 'invalid_value' });
  }
  return choice;
}

function isError(value: unknown): value is OpenAIError {
  return isRecord(value) && typeof value['status'] === 'number' && isRecord(value['error']);
}

/** Validates a Chat Completions body like OpenAI does; returns the request or the 400 to send. */
export function parseChatRequest(body: unknown): ChatRequest | OpenAIError {
  if (!isRecord(body)) return openaiError(400, `Invalid type for request body: expected an object, but got ${Array.isArray(body) ? 'an array' : typeof body} instead.`, { code: 'invalid_type' });
  const model = body['model'];
  if (model === undefined) return missingParameter('model');
  if (typeof model !== 'string') return invalidType('model', 'a string', model);
  const messages = parseMessages(body['messages']);
  if (isError(messages)) return messages;
  const stream = optionalBoolean(body, 'stream', false);
  if (isError(stream)) return stream;
  const options = body['stream_options'];
  if (options !== undefined && options !== null) {
    if (!stream) return openaiError(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
    if (!isRecord(options)) return invalidType('stream_options', 'an object', options);
  }
  const streamOptions = isRecord(options) ? options : {};
  const includeUsage = optionalBoolean(streamOptions, 'include_usage', false);
  if (isError(includeUsage)) return includeUsage;
  const includeObfuscation = optionalBoolean(streamOptions, 'include_obfuscation', true);
  if (isError(includeObfuscation)) return includeObfuscation;
  const maxTokens = positiveInteger(body, 'max_tokens');
  if (isError(maxTokens)) return maxTokens;
  const maxCompletionTokens = positiveInteger(body, 'max_completion_tokens');
  if (isError(maxCompletionTokens)) return maxCompletionTokens;
  const n = positiveInteger(body, 'n');
  if (isError(n)) return n;
  if (n !== undefined && n > 1) return openaiError(400, `mock-upstream supports only n=1 (got n=${n}).`, { param: 'n', code: 'unsupported_value' });
  const tools = parseTools(body['tools']);
  if (isError(tools)) return tools;
  const toolChoice = parseToolChoice(body['tool_choice'], tools);
  if (isError(toolChoice)) return toolChoice;
  const parallelToolCalls = optionalBoolean(body, 'parallel_tool_calls', true);
  if (isError(parallelToolCalls)) return parallelToolCalls;
  const tier = body['service_tier'];
  return {
    model,
    stream,
    includeUsage,
    includeObfuscation,
    maxTokens: maxCompletionTokens ?? maxTokens,
    messageTexts: messages.texts,
    lastUserText: messages.lastUser,
    tools,
    toolChoice,
    parallelToolCalls,
    serviceTier: tier === 'flex' || tier === 'priority' || tier === 'scale' ? tier : 'default',
  };
}
