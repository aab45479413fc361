/**
 * Canonical system + messages → Anthropic `system` and `messages` (MessageParam / ContentBlockParam in
 * anthropic-sdk-typescript). Anthropic's rules shape the choices below:
 *  - only `user` and `assistant` turns exist (API version 2023-06-01, which Rampart sends): canonical `tool` turns
 *    become user turns, and canonical system messages in mid-conversation are folded, in order, into the top-level
 *    system prompt (their position is lost, their text is not);
 *  - consecutive same-role turns are merged, and in a user turn tool_result blocks come first ("Tool use" guide:
 *    tool results must come first in the content array, any text after them);
 *  - thinking blocks are sent back only with their signature: Anthropic refuses unsigned thinking, and thinking from
 *    other providers (no signature) means nothing to Claude;
 *  - empty text blocks are dropped (Anthropic refuses them), and a turn left empty is dropped with them.
 */
import type { CanonicalRequest, ContentPart, ImagePart, JsonObject, TextPart, ToolResultPart } from '../canonical/types.ts';
import { messageMark, type RequestExtensions } from './extensions.ts';
import { fail, isRecord } from './wire-checks.ts';

type Block = Record<string, unknown>;
type WireMessage = { role: 'user' | 'assistant'; content: string | Block[] };

/** The rendered conversation: `system` is omitted when empty. */
export interface RenderedConversation {
  system?: string | Block[];
  messages: WireMessage[];
}

/** Render system prompt and turns, re-applying cache breakpoints and redacted thinking recorded by an Anthropic client. */
export function renderConversation(request: CanonicalRequest, ext: RequestExtensions): RenderedConversation {
  const system: Block[] = [];
  request.system.forEach((part, i) => pushText(system, part, ext.cacheControl(`system.${i}`)));
  const turns: { role: 'user' | 'assistant'; blocks: Block[] }[] = [];

  request.messages.forEach((message, i) => {
    if (message.role === 'system') {
      for (const part of message.content) if (part.type === 'text') pushText(system, part, undefined);
      return;
    }
    const blocks: Block[] = [];
    message.content.forEach((part, j) => {
      for (const data of ext.redactedBefore(i, j)) blocks.push({ type: 'redacted_thinking', data });
      const block = renderPart(part, `messages.${i}.content.${j}`);
      if (block === undefined) return;
      const cache = ext.cacheControl(messageMark(i, j));
      if (cache !== undefined) block.cache_control = cache;
      blocks.push(block);
    });
    for (const data of ext.redactedAfterLast(i, message.content.length)) blocks.push({ type: 'redacted_thinking', data });
    if (blocks.length === 0) return;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns.at(-1);
    if (last?.role === role) last.blocks.push(...blocks);
    else turns.push({ role, blocks });
  });

  const out: RenderedConversation = { messages: turns.map((turn) => ({ role: turn.role, content: compact(turn.role === 'user' ? resultsFirst(turn.blocks) : turn.blocks) })) };
  if (system.length > 0) out.system = compact(system);
  return out;
}

function pushText(target: Block[], part: TextPart, cache: JsonObject | undefined): void {
  if (part.text.length === 0) return;
  const block: Block = { type: 'text', text: part.text };
  if (cache !== undefined) block.cache_control = cache;
  target.push(block);
}

function renderPart(part: ContentPart, param: string): Block | undefined {
  switch (part.type) {
    case 'text':
      return part.text.length === 0 ? undefined : { type: 'text', text: part.text };
    case 'image':
      return renderImage(part);
    case 'tool_call':
      return { type: 'tool_use', id: toolUseId(part.id), name: part.name, input: parseArguments(part.arguments, `${param}.arguments`) };
    case 'tool_result':
      return renderToolResult(part);
    case 'thinking':
      return part.signature === undefined || part.signature === '' ? undefined : { type: 'thinking', thinking: part.text, signature: part.signature };
  }
}

/** An image block; the canonical `detail` has no Anthropic counterpart and is dropped. */
export function renderImage(part: ImagePart): Block {
  const source = part.source;
  if (source.kind === 'url') return { type: 'image', source: { type: 'url', url: source.url } };
  return { type: 'image', source: { type: 'base64', media_type: source.mediaType, data: source.data } };
}

function renderToolResult(part: ToolResultPart): Block {
  const block: Block = { type: 'tool_result', tool_use_id: toolUseId(part.toolCallId) };
  const items: Block[] = [];
  for (const item of part.content) {
    if (item.type === 'image') items.push(renderImage(item));
    else if (item.text.length > 0) items.push({ type: 'text', text: item.text });
  }
  if (items.length > 0) block.content = compact(items);
  if (part.isError !== undefined) block.is_error = part.isError;
  return block;
}

/**
 * Anthropic tool_use ids must match `^[a-zA-Z0-9_-]+$`; some OpenAI-compatible servers mint ids such as
 * `functions.get_weather:0`. Other characters become `_`, the same way for a call and its result, so they still pair.
 */
export function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * A tool call's arguments text → the `input` object Anthropic requires. Empty text means no arguments (some
 * servers send "" for argument-less calls). Anything that is not a JSON object is refused rather than replaced with
 * `{}`: the call would run with inputs the model never chose.
 */
export function parseArguments(text: string, param: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('Tool call arguments are not valid JSON; Anthropic tool_use input must be a JSON object', param);
  }
  if (!isRecord(value)) fail('Tool call arguments must be a JSON object for Anthropic tool_use input', param);
  return value as JsonObject;
}

/** tool_result blocks first, everything else after, each group in its original order. */
function resultsFirst(blocks: Block[]): Block[] {
  return [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')];
}

/** One plain text block becomes a string (the common form); anything else stays a block list. */
function compact(blocks: Block[]): string | Block[] {
  const first = blocks[0];
  if (blocks.length === 1 && first?.type === 'text' && first.cache_control === undefined && typeof first.text === 'string') return first.text;
  return blocks;
}
