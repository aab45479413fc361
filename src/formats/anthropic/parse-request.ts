/**
 * Client's Anthropic Messages request (`POST /v1/messages`, and `/v1/messages/count_tokens`) → CanonicalRequest.
 * Wire shape: API reference, "Messages" → "Create a Message" and "Count tokens in a Message" (MessageCreateParams,
 * MessageCountTokensParams in anthropic-sdk-typescript).
 *
 * Anthropic answers 400 "Extra inputs are not permitted" for fields it does not define, so unknown top-level fields
 * are refused here too. Prompt-cache breakpoints (`cache_control`) on system, tool and message blocks have no
 * canonical form: they are recorded in `extensions.anthropic` and re-applied only for an Anthropic upstream (other
 * providers cache on their own terms); breakpoints inside tool_result content are dropped.
 *
 * Other choices: `redacted_thinking` blocks (opaque, encrypted) are kept in the extensions and given back only to
 * an Anthropic upstream, never refused, so Claude Code conversations that contain one keep working; server tools,
 * documents, Files API sources and hosted containers are refused by name; `thinking.type: "enabled"` sets both the
 * budget and the effort level of the shared table (canonical/reasoning.ts).
 */
import type { CanonicalMessage, CanonicalRequest, JsonObject } from '../canonical/types.ts';
import { buildRequestExtensions, newRequestExtensions, type RequestExtensionsBuilder } from './extensions.ts';
import { parseCacheControl, parseMessageContent, parseSystem } from './parse-content.ts';
import { parseOutputConfig, parseThinking, parseToolChoice, parseTools } from './parse-tools.ts';
import {
  expectArray,
  expectBoolean,
  expectInteger,
  expectNonEmptyString,
  expectNumber,
  expectRecord,
  expectString,
  fail,
  isAbsent,
  isRecord,
  prefixed,
  safeKey,
  typeName,
  wireName,
} from './wire-checks.ts';

/** Which endpoint the body was sent to; they accept different field sets. */
export type AnthropicEndpoint = 'messages' | 'count_tokens';

/** Fields of both endpoints that map onto the canonical request. */
const SHARED_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config']);
/** Fields only `POST /v1/messages` accepts. */
const MESSAGES_FIELDS = new Set(['max_tokens', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata']);

/** Valid Anthropic fields without a canonical home, forwarded unchanged to an Anthropic upstream only. */
const PASSTHROUGH_FIELDS: ReadonlyMap<string, 'object' | 'string'> = new Map([
  ['service_tier', 'string'],
  ['inference_geo', 'string'],
  ['speed', 'string'],
  ['diagnostics', 'object'],
]);

/** Valid Anthropic fields that depend on Anthropic-hosted state or tools, refused with the reason. */
const REFUSED_FIELDS: ReadonlyMap<string, string> = new Map([
  ['container', 'containers belong to Anthropic-hosted code execution, which Rampart does not support'],
  ['mcp_servers', 'the MCP connector runs tools inside Anthropic, which Rampart does not support'],
  ['context_management', 'server-side context management is not supported'],
  ['workspace_id', 'the Anthropic workspace is chosen by the gateway credential, not the client'],
  ['user_profile_id', 'user profiles are not supported'],
]);

/** Parse and validate a client's Messages body; throws FormatError (with Anthropic's dotted param path) on bad input. */
export function parseMessagesRequest(body: unknown, endpoint: AnthropicEndpoint = 'messages'): CanonicalRequest {
  if (!isRecord(body)) fail(`The request body must be a JSON object, got ${typeName(body)}`, null);
  checkFields(body, endpoint);
  const ext = newRequestExtensions();
  const request: CanonicalRequest = {
    model: expectNonEmptyString(body.model, 'model'),
    system: isAbsent(body.system) ? [] : parseSystem(body.system, ext),
    messages: parseMessages(body.messages, ext),
    stream: isAbsent(body.stream) ? false : expectBoolean(body.stream, 'stream'),
  };
  if (endpoint === 'messages') {
    // Required by Anthropic (and refused when missing); count_tokens does not take it.
    request.maxTokens = expectInteger(body.max_tokens, 'max_tokens', 1);
  }
  if (!isAbsent(body.temperature)) request.temperature = expectNumber(body.temperature, 'temperature', 0, 1);
  if (!isAbsent(body.top_p)) request.topP = expectNumber(body.top_p, 'top_p', 0, 1);
  if (!isAbsent(body.top_k)) request.topK = expectInteger(body.top_k, 'top_k', 0);
  if (!isAbsent(body.stop_sequences)) {
    request.stop = expectArray(body.stop_sequences, 'stop_sequences').map((s, i) => expectString(s, `stop_sequences.${i}`));
  }
  if (!isAbsent(body.tools)) request.tools = parseTools(body.tools, ext);
  if (!isAbsent(body.tool_choice)) parseToolChoice(body.tool_choice, request);
  if (!isAbsent(body.thinking)) parseThinking(body.thinking, request, ext);
  if (!isAbsent(body.output_config)) parseOutputConfig(body.output_config, request, ext);
  if (!isAbsent(body.metadata)) parseMetadata(body.metadata, request);
  if (!isAbsent(body.cache_control)) ext.fields.cache_control = parseCacheControl(body.cache_control, 'cache_control');
  collectPassthrough(body, ext);

  const extensions = buildRequestExtensions(ext);
  if (extensions !== undefined) request.extensions = { anthropic: extensions };
  return request;
}

function checkFields(body: Record<string, unknown>, endpoint: AnthropicEndpoint): void {
  for (const key of Object.keys(body)) {
    if (SHARED_FIELDS.has(key) || PASSTHROUGH_FIELDS.has(key) || key === 'cache_control') continue;
    if (endpoint === 'messages' && MESSAGES_FIELDS.has(key)) continue;
    const refused = REFUSED_FIELDS.get(key);
    if (refused !== undefined) fail(`${key} is not supported: ${refused}`, key);
    fail(`Unknown field ${wireName(key)}: Extra inputs are not permitted`, safeKey(key));
  }
}

/**
 * Parse `messages`. Turns map one to one onto canonical messages (so positions recorded in the extensions stay
 * valid); a user turn holding only tool results becomes a canonical `tool` message, as tool results are everywhere
 * else. `system` turns (mid-conversation system blocks in newer API versions) stay in place as canonical system
 * messages.
 */
function parseMessages(value: unknown, ext: RequestExtensionsBuilder): CanonicalMessage[] {
  const list = expectArray(value, 'messages');
  if (list.length === 0) fail('messages: at least one message is required', 'messages');
  const messages: CanonicalMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const message = expectRecord(list[i], `messages.${i}`);
    const role = message.role;
    if (role === 'user') {
      const content = parseMessageContent(message.content, 'user', i, ext);
      const onlyResults = content.length > 0 && content.every((part) => part.type === 'tool_result');
      messages.push({ role: onlyResults ? 'tool' : 'user', content });
    } else if (role === 'assistant') {
      messages.push({ role: 'assistant', content: parseMessageContent(message.content, 'assistant', i, ext) });
    } else if (role === 'system') {
      messages.push({ role: 'system', content: parseSystemTurn(message.content, i) });
    } else {
      fail(`Invalid role ${wireName(role)}; expected user or assistant`, `messages.${i}.role`);
    }
  }
  return messages;
}

function parseSystemTurn(value: unknown, index: number): CanonicalMessage['content'] {
  const param = `messages.${index}.content`;
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return expectArray(value, param).map((item, j) => {
    const block = expectRecord(item, `${param}.${j}`);
    if (block.type !== 'text') fail(`System turns may only hold text blocks, got ${wireName(block.type)}`, `${param}.${j}.type`);
    return { type: 'text', text: expectString(block.text, `${param}.${j}.text`) };
  });
}

/** `metadata` defines only `user_id` (Metadata in the API reference); Anthropic refuses other keys. */
function parseMetadata(value: unknown, request: CanonicalRequest): void {
  const metadata = expectRecord(value, 'metadata');
  for (const key of Object.keys(metadata)) {
    if (key !== 'user_id') fail(`Unknown field ${wireName(key)} in metadata: Extra inputs are not permitted`, prefixed('metadata', key));
  }
  if (!isAbsent(metadata.user_id)) request.user = expectString(metadata.user_id, 'metadata.user_id');
}

function collectPassthrough(body: Record<string, unknown>, ext: RequestExtensionsBuilder): void {
  for (const [key, check] of PASSTHROUGH_FIELDS) {
    const value = body[key];
    if (isAbsent(value)) continue;
    ext.fields[key] = check === 'string' ? expectString(value, key) : (expectRecord(value, key) as JsonObject);
  }
}
