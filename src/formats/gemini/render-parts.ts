/**
 * Canonical content → Gemini `Part` objects (ai.google.dev/api/caching#Part), shared by the request renderer (model
 * turns of the history) and the response renderer (the candidate's content).
 */
import { FormatError } from '../canonical/format-error.ts';
import type { ContentPart, ImagePart, JsonObject } from '../canonical/types.ts';
import { isRecord } from './wire-checks.ts';

/** One Gemini part as rendered. */
export type WirePart = Record<string, unknown>;

/**
 * Parse tool-call arguments into the object Gemini's `FunctionCall.args` holds. An empty string is a call without
 * arguments (some OpenAI-compatible servers send that); anything that is not a JSON object yields undefined.
 */
export function argumentsObject(text: string): JsonObject | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** `functionCall` part content: Gemini's field order, the id whenever there is one. */
export function functionCall(id: string, name: string, args: JsonObject): WirePart {
  return { functionCall: { id, name, args } };
}

/**
 * Render an assistant message or response content. An empty ThinkingPart that only carries a signature (how
 * parse-parts represents a signature found on a non-thought part) is folded back onto the part after it, so a
 * Gemini conversation keeps each signature where Gemini put it. An empty signature means "unsigned" (the Anthropic
 * client renderer gives unsigned thinking `signature: ""`, which its clients send back) and is never sent: it is no
 * valid signature, and it would keep the placeholder off function calls that need one. A tool call whose arguments
 * are not a JSON object cannot be a functionCall: `onMalformed` decides (refuse, or leave it out and report it).
 */
export function renderModelParts(content: readonly ContentPart[], onMalformed: 'throw' | 'skip'): { parts: WirePart[]; malformed: boolean } {
  const parts: WirePart[] = [];
  let pending: string | undefined;
  let malformed = false;
  const emit = (part: WirePart): void => {
    if (pending !== undefined) part.thoughtSignature = pending;
    pending = undefined;
    parts.push(part);
  };
  const flushSignature = (): void => {
    if (pending !== undefined) parts.push({ text: '', thoughtSignature: pending });
    pending = undefined;
  };
  for (const part of content) {
    switch (part.type) {
      case 'thinking': {
        const signature = part.signature === '' ? undefined : part.signature;
        if (part.text.length > 0) {
          flushSignature();
          parts.push(signature === undefined ? { text: part.text, thought: true } : { text: part.text, thought: true, thoughtSignature: signature });
        } else if (signature !== undefined) {
          flushSignature();
          pending = signature;
        }
        break;
      }
      case 'text':
        if (part.text.length > 0) emit({ text: part.text });
        break;
      case 'tool_call': {
        const args = argumentsObject(part.arguments);
        if (args !== undefined) emit(functionCall(part.id, part.name, args));
        else if (onMalformed === 'throw') throw new FormatError(`The arguments of tool call ${part.name.slice(0, 64)} are not a JSON object; Gemini needs one`, null);
        else malformed = true;
        break;
      }
      case 'image':
        emit(renderImage(part));
        break;
      case 'tool_result':
        // Results belong to user turns; render-contents handles them before calling this.
        break;
    }
  }
  flushSignature();
  return { parts, malformed };
}

/** The Gemini File API's file URIs (`https://generativelanguage.googleapis.com/v1beta/files/…`) and Cloud Storage. */
const GEMINI_FILE_URI = /^(https:\/\/generativelanguage\.googleapis\.com\/|gs:\/\/)/;
const DATA_URL = /^data:([^;,]+);base64,/;

/**
 * An image part: inline base64 as `inlineData`; a File API / Cloud Storage URI as `fileData`. Gemini does not
 * fetch arbitrary web URLs for the Developer API and Rampart never fetches on a client's behalf (SSRF), so any other
 * URL is refused.
 */
export function renderImage(part: ImagePart): WirePart {
  const source = part.source;
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const dataUrl = DATA_URL.exec(source.url);
  if (dataUrl?.[1] !== undefined) return { inlineData: { mimeType: dataUrl[1], data: source.url.slice(dataUrl[0].length) } };
  if (GEMINI_FILE_URI.test(source.url)) return { fileData: { fileUri: source.url } };
  throw new FormatError('Gemini providers take images inline (base64 data URLs) or as Gemini File API URIs; image URLs are not fetched', null);
}
