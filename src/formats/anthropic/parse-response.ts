/**
 * Upstream Anthropic `Message` → CanonicalResponse.
 * Wire shape: API reference, "Messages" → "Create a Message" response (Message, ContentBlock in
 * anthropic-sdk-typescript). Anthropic reports no creation time, so `created` is 0 ("unknown"); formats/ may not
 * read the clock, the caller stamps it if it needs one.
 */
import type { CanonicalResponse, FinishReason, JsonObject, TextPart, ThinkingPart, ToolCallPart } from '../canonical/types.ts';
import { parseStopReason, parseUsage, renderStopReason } from './mappings.ts';
import { expectArray, expectNonEmptyString, expectRecord, expectString, fail, isAbsent, isRecord, typeName, wireName } from './wire-checks.ts';

/** Parse an upstream non-streaming response; throws FormatError on a malformed body. */
export function parseMessagesResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) fail(`Expected a Message object, got ${typeName(body)}`, null);
  if (body.type !== undefined && body.type !== 'message') fail(`Expected type "message", got ${wireName(body.type)}`, 'type');
  const list = expectArray(body.content, 'content');
  const content: (TextPart | ToolCallPart | ThinkingPart)[] = [];
  const redacted: JsonObject[] = [];
  for (let i = 0; i < list.length; i++) {
    const param = `content.${i}`;
    const block = expectRecord(list[i], param);
    switch (block.type) {
      case 'text':
        // Citations have no canonical form and are dropped; the text they annotate is kept.
        content.push({ type: 'text', text: expectString(block.text, `${param}.text`) });
        break;
      case 'thinking': {
        const part: ThinkingPart = { type: 'thinking', text: expectString(block.thinking, `${param}.thinking`) };
        if (!isAbsent(block.signature)) part.signature = expectString(block.signature, `${param}.signature`);
        content.push(part);
        break;
      }
      case 'redacted_thinking':
        redacted.push({ message: 0, before: content.length, data: expectString(block.data, `${param}.data`) });
        break;
      case 'tool_use':
        content.push({
          type: 'tool_call',
          id: expectNonEmptyString(block.id, `${param}.id`),
          name: expectNonEmptyString(block.name, `${param}.name`),
          arguments: JSON.stringify(expectRecord(block.input, `${param}.input`)),
        });
        break;
      default:
        // Server-tool blocks cannot appear: Rampart never sends server tools. Anything else is not understood.
        fail(`Unsupported content block type ${wireName(block.type)} in the upstream answer`, `${param}.type`);
    }
  }

  const stopReason = isAbsent(body.stop_reason) ? undefined : expectString(body.stop_reason, 'stop_reason');
  const response: CanonicalResponse = {
    id: expectString(body.id, 'id'),
    model: expectString(body.model, 'model'),
    created: 0,
    content,
    finishReason: stopReason === undefined ? inferFinish(content) : parseStopReason(stopReason),
  };
  if (!isAbsent(body.usage)) response.usage = parseUsage(body.usage, 'usage');

  // Anthropic-only details, so an Anthropic client of an Anthropic upstream sees them unchanged.
  const extensions: JsonObject = {};
  if (stopReason !== undefined && renderStopReason(response.finishReason) !== stopReason) extensions.stopReason = stopReason;
  if (!isAbsent(body.stop_sequence)) extensions.stopSequence = expectString(body.stop_sequence, 'stop_sequence');
  if (redacted.length > 0) extensions.redactedThinking = redacted;
  if (Object.keys(extensions).length > 0) response.extensions = { anthropic: extensions };
  return response;
}

/** A null stop_reason only occurs mid-stream; should a server send one on a complete answer, infer it. */
function inferFinish(content: (TextPart | ToolCallPart | ThinkingPart)[]): FinishReason {
  return content.some((part) => part.type === 'tool_call') ? 'tool_calls' : 'stop';
}
