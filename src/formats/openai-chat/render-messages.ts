/**
 * Canonical system + messages → OpenAI Chat `messages` (ChatCompletionMessageParam in openai-node).
 * The canonical model admits parts OpenAI cannot place everywhere; the choices made for them are documented inline.
 */
import type { CanonicalMessage, CanonicalRequest, ContentPart, ImagePart, TextPart, ToolResultPart } from '../canonical/types.ts';

type WireTextPart = { type: 'text'; text: string };
type WireImagePart = { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };
type WireMessage = Record<string, unknown>;

/** Render the conversation: one leading system message for `system`, then each canonical message in order. */
export function renderMessages(request: CanonicalRequest): WireMessage[] {
  const out: WireMessage[] = [];
  if (request.system.length > 0) out.push({ role: 'system', content: renderTextContent(request.system) });
  for (const message of request.messages) renderMessage(message, out);
  return out;
}

function renderMessage(message: CanonicalMessage, out: WireMessage[]): void {
  // Tool results may sit in any canonical message (Anthropic puts them in user turns). OpenAI wants one `tool`
  // message per result, and they must come right after the assistant turn that made the calls, so they go first.
  const rest: ContentPart[] = [];
  for (const part of message.content) {
    if (part.type === 'tool_result') renderToolResult(part, out);
    else rest.push(part);
  }
  switch (message.role) {
    case 'system': {
      const texts = rest.filter((part): part is TextPart => part.type === 'text');
      out.push(named({ role: 'system', content: renderTextContent(texts) }, message.name));
      break;
    }
    case 'user': {
      // A user turn that only carried tool results has nothing left to say.
      if (rest.length === 0 && rest.length !== message.content.length) break;
      const parts = rest.filter((part): part is TextPart | ImagePart => part.type === 'text' || part.type === 'image');
      out.push(named({ role: 'user', content: renderUserContent(parts) }, message.name));
      break;
    }
    case 'assistant':
      out.push(named(renderAssistant(rest), message.name));
      break;
    case 'tool':
      // Only tool results belong here, and they were rendered above.
      break;
  }
}

function renderAssistant(parts: ContentPart[]): WireMessage {
  const texts: TextPart[] = [];
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const part of parts) {
    if (part.type === 'text') texts.push(part);
    else if (part.type === 'tool_call') toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
    // Thinking is not sent back: Chat Completions has no input field for it, and compatible servers that emit
    // `reasoning_content` (e.g. DeepSeek) reject it in requests. Images cannot appear in assistant content.
  }
  const message: WireMessage = { role: 'assistant', content: null };
  // The reference makes content optional only when tool_calls is present.
  if (texts.length > 0) message.content = renderTextContent(texts);
  else if (toolCalls.length === 0) message.content = '';
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function renderToolResult(part: ToolResultPart, out: WireMessage[]): void {
  const texts: TextPart[] = [];
  const images: ImagePart[] = [];
  for (const item of part.content) {
    if (item.type === 'text') texts.push(item);
    else images.push(item);
  }
  // `isError` has no wire field; the model reads failures from the text, as OpenAI's own tool guidance expects.
  out.push({ role: 'tool', tool_call_id: part.toolCallId, content: texts.length === 0 ? '' : renderTextContent(texts) });
  // Tool messages only take text; images a tool returned are shown to the model in a user message right after.
  if (images.length > 0) out.push({ role: 'user', content: images.map(renderImage) });
}

/** One text part becomes a plain string (the common form); several stay an array so parsing gives them back. */
function renderTextContent(parts: TextPart[]): string | WireTextPart[] {
  const first = parts[0];
  if (parts.length === 1 && first !== undefined) return first.text;
  return parts.map((part) => ({ type: 'text', text: part.text }));
}

function renderUserContent(parts: (TextPart | ImagePart)[]): string | (WireTextPart | WireImagePart)[] {
  const first = parts[0];
  if (parts.length === 0) return '';
  if (parts.length === 1 && first?.type === 'text') return first.text;
  return parts.map((part) => (part.type === 'text' ? { type: 'text', text: part.text } : renderImage(part)));
}

function renderImage(part: ImagePart): WireImagePart {
  const source = part.source;
  const url = source.kind === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
  const image: WireImagePart = { type: 'image_url', image_url: { url } };
  if (part.detail !== undefined) image.image_url.detail = part.detail;
  return image;
}

function named(message: WireMessage, name: string | undefined): WireMessage {
  if (name !== undefined) message.name = name;
  return message;
}
