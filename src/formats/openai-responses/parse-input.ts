/**
 * OpenAI Responses `instructions` + `input` → canonical system + messages.
 * Wire shapes: API reference, "Create a model response" → `input` (ResponseInputItem in openai-node: EasyInputMessage,
 * ResponseInputItem.Message, ResponseOutputMessage, ResponseFunctionToolCall, ResponseInputItem.FunctionCallOutput,
 * ResponseReasoningItem, ResponseInputItem.ItemReference).
 *
 * Responses input is a flat list of items; the canonical model (like every other format) groups an assistant turn
 * into one message. Consecutive assistant-side items — reasoning, assistant messages, function calls — are merged
 * into one canonical assistant message, in order, so a Chat provider gets one assistant message with its tool_calls.
 */
import type { CanonicalMessage, ContentPart, ImagePart, TextPart, ThinkingPart, ToolResultPart } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { expectArray, expectNonEmptyString, expectRecord, expectString, fail, typeName, wireName } from '../openai-chat/wire-checks.ts';

/** The canonical view of a Responses conversation. */
export interface ParsedInput {
  system: TextPart[];
  messages: CanonicalMessage[];
}

const DATA_URL_PREFIX = 'data:';
const BASE64_MARKER = ';base64,';

/** Parse `input` (a string or a list of items); `system` already holds the `instructions`, if any. */
export function parseInput(value: unknown, system: TextPart[]): ParsedInput {
  if (typeof value === 'string') return { system, messages: [{ role: 'user', content: [{ type: 'text', text: value }] }] };
  const list = expectArray(value, 'input');
  if (list.length === 0) fail('input must contain at least one item', 'input');
  const messages: CanonicalMessage[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `input[${i}]`;
    const item = expectRecord(list[i], param);
    // EasyInputMessage may omit `type`; every other item names its type.
    const type = isAbsent(item.type) && item.role !== undefined ? 'message' : item.type;
    switch (type) {
      case 'message':
        parseMessage(item, param, system, messages);
        break;
      case 'function_call':
        assistantTurn(messages).push({
          type: 'tool_call',
          // `call_id` links the call to its output; `id` is only the item's own id (fc_…).
          id: expectNonEmptyString(item.call_id, `${param}.call_id`),
          name: expectNonEmptyString(item.name, `${param}.name`),
          arguments: expectString(item.arguments, `${param}.arguments`),
        });
        break;
      case 'function_call_output': {
        const result: ToolResultPart = {
          type: 'tool_result',
          toolCallId: expectNonEmptyString(item.call_id, `${param}.call_id`),
          content: parseToolOutput(item.output, `${param}.output`),
        };
        messages.push({ role: 'tool', content: [result] });
        break;
      }
      case 'reasoning': {
        const thinking = parseReasoning(item, param);
        if (thinking !== undefined) assistantTurn(messages).push(thinking);
        break;
      }
      case 'item_reference':
        fail(
          'item_reference is not supported: this gateway keeps no server-side response state, so earlier items must be sent in full',
          `${param}.type`,
        );
        break;
      default:
        fail(
          `Input item type ${wireName(type)} is not supported; use message, function_call, function_call_output or reasoning items`,
          `${param}.type`,
        );
    }
  }
  return { system, messages };
}

function parseMessage(item: Record<string, unknown>, param: string, system: TextPart[], messages: CanonicalMessage[]): void {
  switch (item.role) {
    case 'system':
    case 'developer': {
      const parts = parseInputContent(item.content, `${param}.content`, false);
      // Leading system/developer messages join the instructions; later ones keep their place in the conversation.
      if (messages.length === 0) system.push(...parts);
      else messages.push({ role: 'system', content: parts });
      break;
    }
    case 'user':
      messages.push({ role: 'user', content: parseInputContent(item.content, `${param}.content`, true) });
      break;
    case 'assistant':
      assistantTurn(messages).push(...parseAssistantContent(item.content, `${param}.content`));
      break;
    default:
      fail(`Invalid role ${wireName(item.role)}; expected user, assistant, system or developer`, `${param}.role`);
  }
}

/** The assistant message that consecutive assistant-side items join; a new one when the last turn was not the assistant's. */
function assistantTurn(messages: CanonicalMessage[]): ContentPart[] {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return last.content;
  const message: CanonicalMessage = { role: 'assistant', content: [] };
  messages.push(message);
  return message.content;
}

/** User/system content: a string, or input_text / input_image parts (images only where `images` is true). */
function parseInputContent(value: unknown, param: string, images: false): TextPart[];
function parseInputContent(value: unknown, param: string, images: true): (TextPart | ImagePart)[];
function parseInputContent(value: unknown, param: string, images: boolean): (TextPart | ImagePart)[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const list = expectContentList(value, param);
  const parts: (TextPart | ImagePart)[] = [];
  for (let j = 0; j < list.length; j++) {
    const partParam = `${param}[${j}]`;
    const part = expectRecord(list[j], partParam);
    if (part.type === 'input_text') parts.push({ type: 'text', text: expectString(part.text, `${partParam}.text`) });
    else if (part.type === 'input_image' && images) parts.push(parseImage(part, partParam));
    else if (part.type === 'input_file') fail(fileRefusal(), `${partParam}.type`);
    else fail(`Content part type ${wireName(part.type)} is not allowed here; use input_text${images ? ' or input_image' : ''}`, `${partParam}.type`);
  }
  return parts;
}

/** Earlier assistant output sent back: a string, or output_text / refusal parts. */
function parseAssistantContent(value: unknown, param: string): TextPart[] {
  if (typeof value === 'string') return value.length === 0 ? [] : [{ type: 'text', text: value }];
  const list = expectContentList(value, param);
  const parts: TextPart[] = [];
  for (let j = 0; j < list.length; j++) {
    const partParam = `${param}[${j}]`;
    const part = expectRecord(list[j], partParam);
    // Annotations and logprobs on earlier output are not read back by any model API; only the text is.
    if (part.type === 'output_text') parts.push({ type: 'text', text: expectString(part.text, `${partParam}.text`) });
    // A refusal is the model's earlier answer, not an instruction; no other format can carry it back.
    else if (part.type !== 'refusal') fail(`Content part type ${wireName(part.type)} is not allowed in assistant messages; use output_text`, `${partParam}.type`);
  }
  return parts;
}

/** `function_call_output.output`: a string, or input_text / input_image parts. */
function parseToolOutput(value: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  return parseInputContent(value, param, true);
}

/**
 * A reasoning item sent back (clients with `store: false`, e.g. Codex, replay earlier output). Its summary text (or,
 * failing that, its raw reasoning_text content) becomes a thinking part; `encrypted_content` carries the provider's
 * thinking signature that {@link renderResponsesResponse} put there, so Anthropic can verify the block it signed.
 * An item with neither text nor encrypted content carries nothing and is skipped.
 */
function parseReasoning(item: Record<string, unknown>, param: string): ThinkingPart | undefined {
  const summary = readTexts(item.summary, `${param}.summary`, 'summary_text');
  const content = isAbsent(item.content) ? [] : readTexts(item.content, `${param}.content`, 'reasoning_text');
  const texts = summary.length > 0 ? summary : content;
  const signature = isAbsent(item.encrypted_content) ? undefined : expectString(item.encrypted_content, `${param}.encrypted_content`);
  if (texts.length === 0 && (signature === undefined || signature.length === 0)) return undefined;
  const part: ThinkingPart = { type: 'thinking', text: texts.join('\n\n') };
  if (signature !== undefined && signature.length > 0) part.signature = signature;
  return part;
}

function readTexts(value: unknown, param: string, partType: string): string[] {
  const list = expectArray(value, param);
  const texts: string[] = [];
  for (let j = 0; j < list.length; j++) {
    const part = expectRecord(list[j], `${param}[${j}]`);
    if (part.type !== partType) fail(`Expected a ${partType} part, got ${wireName(part.type)}`, `${param}[${j}].type`);
    texts.push(expectString(part.text, `${param}[${j}].text`));
  }
  return texts;
}

function parseImage(part: Record<string, unknown>, param: string): ImagePart {
  if (!isAbsent(part.file_id)) {
    fail('input_image.file_id refers to a file stored at OpenAI, which this gateway cannot read; send image_url (an https or data: URL)', `${param}.file_id`);
  }
  const url = expectNonEmptyString(part.image_url, `${param}.image_url`);
  const image: ImagePart = { type: 'image', source: parseImageUrl(url) };
  const detail = part.detail;
  if (detail === 'auto' || detail === 'low' || detail === 'high') image.detail = detail;
  // `original` (newer models) has no canonical value; `high` is the closest promise of full resolution.
  else if (detail === 'original') image.detail = 'high';
  else if (!isAbsent(detail)) fail('detail must be one of auto, low, high, original', `${param}.detail`);
  return image;
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

function fileRefusal(): string {
  return 'input_file is not supported: the canonical model has no file part that every provider can read; send the text or images instead';
}

function expectContentList(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) fail(`Expected a string or an array of content parts at ${param}, got ${typeName(value)}`, param);
  return value;
}
