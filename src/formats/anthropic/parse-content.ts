/**
 * Anthropic content blocks of one input message → canonical parts.
 * Wire shapes: API reference, "Messages" → `messages[].content` (ContentBlockParam in anthropic-sdk-typescript:
 * TextBlockParam, ImageBlockParam with Base64ImageSource / URLImageSource, ToolUseBlockParam, ToolResultBlockParam,
 * ThinkingBlockParam, RedactedThinkingBlockParam). Unknown per-block keys (e.g. `citations` on text) are ignored.
 */
import type { ContentPart, ImagePart, JsonObject, TextPart, ToolResultPart } from '../canonical/types.ts';
import { messageMark, type RequestExtensionsBuilder } from './extensions.ts';
import { expectArray, expectBoolean, expectNonEmptyString, expectRecord, expectString, fail, isAbsent, typeName, wireName } from './wire-checks.ts';

/** Block types that only exist with Anthropic-hosted tools or files, refused by name. */
const UNSUPPORTED_BLOCKS: ReadonlyMap<string, string> = new Map([
  ['document', 'document blocks (PDF / plain-text documents) are not supported'],
  ['search_result', 'search_result blocks are not supported'],
  ['container_upload', 'container_upload blocks need code execution, a server tool Rampart does not support'],
]);

/** Parse `content` of message `index` with the given role; records cache breakpoints and redacted thinking. */
export function parseMessageContent(
  value: unknown,
  role: 'user' | 'assistant',
  index: number,
  ext: RequestExtensionsBuilder,
): ContentPart[] {
  const param = `messages.${index}.content`;
  if (typeof value === 'string') return value.length === 0 && role === 'assistant' ? [] : [{ type: 'text', text: value }];
  const list = expectContentArray(value, param);
  const parts: ContentPart[] = [];
  for (let j = 0; j < list.length; j++) {
    const blockParam = `${param}.${j}`;
    const block = expectRecord(list[j], blockParam);
    const type = block.type;
    if (type === 'redacted_thinking' && role === 'assistant') {
      // Opaque and encrypted: no canonical part can hold it, but Anthropic wants it back unchanged in later turns.
      ext.redactedThinking.push({ message: index, before: parts.length, data: expectString(block.data, `${blockParam}.data`) });
      continue;
    }
    parts.push(parseBlock(block, type, role, blockParam));
    if (!isAbsent(block.cache_control)) {
      ext.cacheControl[messageMark(index, parts.length - 1)] = parseCacheControl(block.cache_control, `${blockParam}.cache_control`);
    }
  }
  return parts;
}

function parseBlock(block: Record<string, unknown>, type: unknown, role: 'user' | 'assistant', param: string): ContentPart {
  switch (type) {
    case 'text':
      return { type: 'text', text: expectString(block.text, `${param}.text`) };
    case 'image':
      if (role !== 'user') break;
      return parseImage(block.source, `${param}.source`);
    case 'tool_result':
      if (role !== 'user') break;
      return parseToolResult(block, param);
    case 'tool_use': {
      if (role !== 'assistant') break;
      const input = expectRecord(block.input, `${param}.input`);
      return {
        type: 'tool_call',
        id: expectNonEmptyString(block.id, `${param}.id`),
        name: expectNonEmptyString(block.name, `${param}.name`),
        arguments: JSON.stringify(input),
      };
    }
    case 'thinking': {
      if (role !== 'assistant') break;
      const part: ContentPart = { type: 'thinking', text: expectString(block.thinking, `${param}.thinking`) };
      if (!isAbsent(block.signature)) part.signature = expectString(block.signature, `${param}.signature`);
      return part;
    }
    case 'redacted_thinking':
      break;
    default: {
      const reason = typeof type === 'string' ? UNSUPPORTED_BLOCKS.get(type) : undefined;
      if (reason !== undefined) fail(`Content block type ${wireName(type)}: ${reason}`, `${param}.type`);
      if (typeof type === 'string' && (type.startsWith('server_tool') || type.endsWith('_tool_result'))) {
        fail(`Content block type ${wireName(type)} belongs to an Anthropic server tool, which Rampart does not support`, `${param}.type`);
      }
      fail(`Unknown content block type ${wireName(type)}`, `${param}.type`);
    }
  }
  return fail(`Content block type ${wireName(type)} is not allowed in ${role} messages`, `${param}.type`);
}

/** An image source: inline base64 or a URL. Files API references (`file_id`) cannot be expressed elsewhere. */
export function parseImage(value: unknown, param: string): ImagePart {
  const source = expectRecord(value, param);
  switch (source.type) {
    case 'base64':
      return {
        type: 'image',
        source: {
          kind: 'base64',
          mediaType: expectNonEmptyString(source.media_type, `${param}.media_type`),
          data: expectNonEmptyString(source.data, `${param}.data`),
        },
      };
    case 'url':
      return { type: 'image', source: { kind: 'url', url: expectNonEmptyString(source.url, `${param}.url`) } };
    case 'file':
      return fail('Image sources of type "file" (Files API) are not supported; send base64 or url', `${param}.type`);
    default:
      return fail(`Image source type ${wireName(source.type)} is not supported; use base64 or url`, `${param}.type`);
  }
}

function parseToolResult(block: Record<string, unknown>, param: string): ToolResultPart {
  const part: ToolResultPart = {
    type: 'tool_result',
    toolCallId: expectNonEmptyString(block.tool_use_id, `${param}.tool_use_id`),
    content: parseToolResultContent(block.content, `${param}.content`),
  };
  if (!isAbsent(block.is_error)) part.isError = expectBoolean(block.is_error, `${param}.is_error`);
  return part;
}

function parseToolResultContent(value: unknown, param: string): (TextPart | ImagePart)[] {
  if (isAbsent(value)) return [];
  if (typeof value === 'string') return value.length === 0 ? [] : [{ type: 'text', text: value }];
  const list = expectContentArray(value, param);
  const parts: (TextPart | ImagePart)[] = [];
  for (let k = 0; k < list.length; k++) {
    const itemParam = `${param}.${k}`;
    const item = expectRecord(list[k], itemParam);
    // Breakpoints inside a tool result have no canonical position; they are dropped (see parse-request.ts).
    if (item.type === 'text') parts.push({ type: 'text', text: expectString(item.text, `${itemParam}.text`) });
    else if (item.type === 'image') parts.push(parseImage(item.source, `${itemParam}.source`));
    else fail(`Tool result content type ${wireName(item.type)} is not supported; use text or image`, `${itemParam}.type`);
  }
  return parts;
}

/** Parse a `system` prompt: a string or text blocks (`cache_control` recorded under "system.<i>"). */
export function parseSystem(value: unknown, ext: RequestExtensionsBuilder): TextPart[] {
  if (typeof value === 'string') return value.length === 0 ? [] : [{ type: 'text', text: value }];
  const list = expectArray(value, 'system');
  const parts: TextPart[] = [];
  for (let i = 0; i < list.length; i++) {
    const block = expectRecord(list[i], `system.${i}`);
    if (block.type !== 'text') fail(`System blocks must be of type "text", got ${wireName(block.type)}`, `system.${i}.type`);
    parts.push({ type: 'text', text: expectString(block.text, `system.${i}.text`) });
    if (!isAbsent(block.cache_control)) ext.cacheControl[`system.${i}`] = parseCacheControl(block.cache_control, `system.${i}.cache_control`);
  }
  return parts;
}

/** A prompt-cache breakpoint: `{type: "ephemeral", ttl?: "5m" | "1h"}` (CacheControlEphemeral). */
export function parseCacheControl(value: unknown, param: string): JsonObject {
  const control = expectRecord(value, param);
  if (control.type !== 'ephemeral') fail(`cache_control type must be "ephemeral", got ${wireName(control.type)}`, `${param}.type`);
  const out: JsonObject = { type: 'ephemeral' };
  if (!isAbsent(control.ttl)) {
    if (control.ttl !== '5m' && control.ttl !== '1h') fail('cache_control.ttl must be "5m" or "1h"', `${param}.ttl`);
    out.ttl = control.ttl;
  }
  return out;
}

function expectContentArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) fail(`Expected a string or an array of content blocks at ${param}, got ${typeName(value)}`, param);
  return value;
}
