/**
 * OpenAI Chat `messages` → canonical system + messages.
 * Wire shapes: API reference, "Create chat completion" → `messages` (ChatCompletionMessageParam in openai-node).
 */
import type { CanonicalMessage, ContentPart, ImagePart, TextPart, ToolCallPart } from '../canonical/types.ts';
import {
  expectArray,
  expectNonEmptyString,
  expectRecord,
  expectString,
  fail,
  typeName,
  wireName,
} from './wire-checks.ts';

/** The canonical view of a Chat Completions conversation. */
export interface ParsedMessages {
  system: TextPart[];
  messages: CanonicalMessage[];
}

const DATA_URL_PREFIX = 'data:';
const BASE64_MARKER = ';base64,';

/**
 * Parse `messages`. System and developer messages that lead the conversation become the canonical `system`
 * (every other format has a single instruction slot up front). OpenAI also accepts them later in the conversation;
 * those stay in place as canonical messages with role `system`, so their position is not lost.
 */
export function parseMessages(value: unknown): ParsedMessages {
  const list = expectArray(value, 'messages');
  if (list.length === 0) fail('messages must contain at least one message', 'messages');
  const system: TextPart[] = [];
  const messages: CanonicalMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `messages[${i}]`;
    const message = expectRecord(list[i], param);
    const role = message.role;
    switch (role) {
      case 'system':
      case 'developer': {
        const parts = parseTextContent(message.content, `${param}.content`);
        const canonical = withName({ role: 'system', content: parts }, message.name, param);
        // The canonical system slot has no per-participant name; a leading system message's name is dropped.
        if (messages.length === 0) system.push(...parts);
        else messages.push(canonical);
        break;
      }
      case 'user':
        messages.push(withName({ role: 'user', content: parseUserContent(message.content, `${param}.content`) }, message.name, param));
        break;
      case 'assistant':
        messages.push(withName({ role: 'assistant', content: parseAssistant(message, param) }, message.name, param));
        break;
      case 'tool': {
        const toolCallId = expectNonEmptyString(message.tool_call_id, `${param}.tool_call_id`);
        const content = parseTextContent(message.content, `${param}.content`);
        messages.push({ role: 'tool', content: [{ type: 'tool_result', toolCallId, content }] });
        break;
      }
      case 'function':
        fail('The deprecated "function" role is not supported; use "tool" messages with tool_calls', `${param}.role`);
        break;
      default:
        fail(`Invalid role ${wireName(role)}; expected system, developer, user, assistant or tool`, `${param}.role`);
    }
  }
  return { system, messages };
}

function withName(message: CanonicalMessage, name: unknown, param: string): CanonicalMessage {
  if (name !== undefined && name !== null) message.name = expectString(name, `${param}.name`);
  return message;
}

/** Content that may only hold text: a string or an array of `{type: 'text', text}` parts. */
function parseTextContent(value: unknown, param: string): TextPart[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const list = expectContentArray(value, param);
  const parts: TextPart[] = [];
  for (let j = 0; j < list.length; j++) {
    const part = expectRecord(list[j], `${param}[${j}]`);
    if (part.type !== 'text') fail(`Only text content parts are allowed here, got ${wireName(part.type)}`, `${param}[${j}].type`);
    parts.push({ type: 'text', text: expectString(part.text, `${param}[${j}].text`) });
  }
  return parts;
}

function parseUserContent(value: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const list = expectContentArray(value, param);
  const parts: (TextPart | ImagePart)[] = [];
  for (let j = 0; j < list.length; j++) {
    const partParam = `${param}[${j}]`;
    const part = expectRecord(list[j], partParam);
    if (part.type === 'text') parts.push({ type: 'text', text: expectString(part.text, `${partParam}.text`) });
    else if (part.type === 'image_url') parts.push(parseImage(part.image_url, `${partParam}.image_url`));
    else fail(`Content part type ${wireName(part.type)} is not supported; use text or image_url`, `${partParam}.type`);
  }
  return parts;
}

function parseImage(value: unknown, param: string): ImagePart {
  const image = expectRecord(value, param);
  const url = expectNonEmptyString(image.url, `${param}.url`);
  const part: ImagePart = { type: 'image', source: parseImageUrl(url) };
  const detail = image.detail;
  if (detail === 'auto' || detail === 'low' || detail === 'high') part.detail = detail;
  // `original` (newer models) has no canonical value; `high` is the closest promise of full resolution.
  else if (detail === 'original') part.detail = 'high';
  else if (detail !== undefined && detail !== null) fail('detail must be one of auto, low, high, original', `${param}.detail`);
  return part;
}

/** `data:<mime>;base64,<data>` (RFC 2397) becomes inline base64; anything else stays a URL for the provider. */
function parseImageUrl(url: string): ImagePart['source'] {
  if (url.startsWith(DATA_URL_PREFIX)) {
    const marker = url.indexOf(BASE64_MARKER);
    const comma = url.indexOf(',');
    // The marker must end the header: `data:image/png;base64,` with no earlier comma.
    if (marker > DATA_URL_PREFIX.length && marker + BASE64_MARKER.length - 1 === comma) {
      return { kind: 'base64', mediaType: url.slice(DATA_URL_PREFIX.length, marker), data: url.slice(comma + 1) };
    }
  }
  return { kind: 'url', url };
}

function parseAssistant(message: Record<string, unknown>, param: string): ContentPart[] {
  if (message.function_call !== undefined && message.function_call !== null) {
    fail('The deprecated function_call is not supported; use tool_calls', `${param}.function_call`);
  }
  const parts: ContentPart[] = [];
  const content = message.content;
  // An empty string is what clients send next to tool_calls; it carries no text.
  if (typeof content === 'string') {
    if (content.length > 0) parts.push({ type: 'text', text: content });
  } else if (content !== undefined && content !== null) {
    const list = expectContentArray(content, `${param}.content`);
    for (let j = 0; j < list.length; j++) {
      const partParam = `${param}.content[${j}]`;
      const part = expectRecord(list[j], partParam);
      if (part.type === 'text') parts.push({ type: 'text', text: expectString(part.text, `${partParam}.text`) });
      // A refusal is the model's earlier answer, not an instruction; no other format can carry it back.
      else if (part.type !== 'refusal') fail(`Content part type ${wireName(part.type)} is not allowed in assistant messages`, `${partParam}.type`);
    }
  }
  const toolCalls = message.tool_calls;
  if (toolCalls !== undefined && toolCalls !== null) {
    const list = expectArray(toolCalls, `${param}.tool_calls`);
    for (let j = 0; j < list.length; j++) parts.push(parseToolCall(list[j], `${param}.tool_calls[${j}]`));
  }
  return parts;
}

/**
 * One `tool_calls[]` entry. Clients must send `type: "function"`; upstream responses may omit it (some compatible
 * servers do), so `typeOptional` accepts a missing type there.
 */
export function parseToolCall(value: unknown, param: string, typeOptional = false): ToolCallPart {
  const call = expectRecord(value, param);
  if (!(typeOptional && call.type === undefined) && call.type !== 'function') {
    fail(`Tool call type ${wireName(call.type)} is not supported; only function`, `${param}.type`);
  }
  const fn = expectRecord(call.function, `${param}.function`);
  return {
    type: 'tool_call',
    id: expectNonEmptyString(call.id, `${param}.id`),
    name: expectNonEmptyString(fn.name, `${param}.function.name`),
    arguments: expectString(fn.arguments, `${param}.function.arguments`),
  };
}

function expectContentArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) fail(`Expected a string or an array of content parts at ${param}, got ${typeName(value)}`, param);
  return value;
}
