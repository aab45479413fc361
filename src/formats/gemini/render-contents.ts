/**
 * Canonical system + messages → Gemini `systemInstruction` and `contents` (ai.google.dev/api/caching#Content).
 * Gemini knows two roles, `user` and `model`; tool results are `functionResponse` parts of a user turn, named after
 * the function they answer.
 */
import { FormatError } from '../canonical/format-error.ts';
import type { CanonicalRequest, JsonObject, TextPart, ToolResultPart } from '../canonical/types.ts';
import { renderImage, renderModelParts, type WirePart } from './render-parts.ts';
import { isRecord, wireName } from './wire-checks.ts';

/** One rendered turn. */
export interface WireContent {
  role: 'user' | 'model';
  parts: WirePart[];
}

/**
 * The documented placeholder for a function call whose thought signature is unknown, e.g. a conversation begun with
 * another provider: Gemini 3 rejects function calls without a signature, and accepts this value instead
 * (ai.google.dev/gemini-api/docs/thought-signatures, "FAQs": transferring a conversation from another model).
 */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/** Render the conversation. Consecutive turns of one role are merged, since Gemini expects them to alternate. */
export function renderContents(request: CanonicalRequest): { systemInstruction?: { parts: WirePart[] }; contents: WireContent[] } {
  const system: TextPart[] = [...request.system];
  const contents: WireContent[] = [];
  const callNames = new Map<string, string>();
  const push = (role: WireContent['role'], parts: WirePart[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        // Gemini has one instruction slot and no mid-conversation system turn; a later system message keeps its
        // authority (not demoted to user text) at the cost of its position.
        for (const part of message.content) if (part.type === 'text') system.push(part);
        break;
      case 'assistant': {
        for (const part of message.content) if (part.type === 'tool_call') callNames.set(part.id, part.name);
        push('model', renderModelParts(message.content, 'throw').parts);
        break;
      }
      case 'user':
      case 'tool': {
        const parts: WirePart[] = [];
        for (const part of message.content) {
          if (part.type === 'tool_result') parts.push(...renderToolResult(part, callNames));
          else if (part.type === 'text') {
            // Gemini refuses empty text parts.
            if (part.text.length > 0) parts.push({ text: part.text });
          } else if (part.type === 'image') parts.push(renderImage(part));
        }
        push('user', parts);
        break;
      }
    }
  }
  if (contents.length === 0) throw new FormatError('Gemini needs at least one user or assistant message', 'messages');
  for (const content of contents) if (content.role === 'model') signFunctionCalls(content.parts);

  const texts = system.filter((part) => part.text.length > 0);
  return texts.length > 0 ? { systemInstruction: { parts: texts.map((part) => ({ text: part.text })) }, contents } : { contents };
}

/**
 * A functionResponse for a tool result. The function's name comes from the earlier tool call with the same id (the
 * latest one, as ids may repeat across turns). The response must be a JSON object: a result whose text is one is
 * sent as it is (so Gemini's own results round-trip), any other text as `{"output": text}` — or `{"error": …}` for a
 * failed call — following Gemini's convention for FunctionResponse.response. Images follow the functionResponse as
 * parts of the same user turn, which every Gemini model reads (functionResponse.parts needs Gemini 3).
 */
function renderToolResult(part: ToolResultPart, callNames: ReadonlyMap<string, string>): WirePart[] {
  const name = callNames.get(part.toolCallId);
  if (name === undefined) throw new FormatError(`Tool result ${wireName(part.toolCallId)} does not answer an earlier tool call`, 'messages');
  const text = part.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('\n');
  let response: JsonObject | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) response = parsed as JsonObject;
  } catch {
    // not JSON: sent as text below
  }
  if (response === undefined) response = part.isError === true ? { error: text } : { output: text };
  else if (part.isError === true && !('error' in response)) response = { error: response };
  const parts: WirePart[] = [{ functionResponse: { id: part.toolCallId, name, response } }];
  for (const item of part.content) if (item.type === 'image') parts.push(renderImage(item));
  return parts;
}

/** Give the first functionCall of a model turn the placeholder signature when none of its calls carries one. */
function signFunctionCalls(parts: WirePart[]): void {
  const calls = parts.filter((part) => part.functionCall !== undefined);
  const first = calls[0];
  if (first !== undefined && calls.every((part) => part.thoughtSignature === undefined)) first.thoughtSignature = SKIP_SIGNATURE;
}
