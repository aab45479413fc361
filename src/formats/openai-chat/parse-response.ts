/**
 * Upstream `chat.completion` object → CanonicalResponse.
 * Wire shape: API reference, "The chat completion object" (ChatCompletion in openai-node). Only `choices[0]` is
 * read: the parser refuses `n > 1`, so an upstream answers with exactly one choice.
 */
import type { CanonicalResponse, JsonObject, JsonValue, TextPart, ThinkingPart, ToolCallPart } from '../canonical/types.ts';
import { parseFinishReason, parseUsage } from './mappings.ts';
import { parseToolCall } from './parse-messages.ts';
import { expectArray, expectNumber, expectRecord, expectString, fail, isRecord, typeName } from './wire-checks.ts';

/** Parse an upstream non-streaming response; throws FormatError on a malformed body. */
export function parseChatResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) fail(`Expected a chat.completion object, got ${typeName(body)}`, null);
  const choices = expectArray(body.choices, 'choices');
  if (choices.length === 0) fail('choices must contain at least one choice', 'choices');
  const choice = expectRecord(choices[0], 'choices[0]');
  const message = expectRecord(choice.message, 'choices[0].message');

  const content: (TextPart | ToolCallPart | ThinkingPart)[] = [];
  // `reasoning_content` is not OpenAI's: DeepSeek, Qwen, vLLM and others send it (newer vLLM/OpenRouter: `reasoning`).
  const reasoning = readReasoning(message, 'choices[0].message');
  if (reasoning !== undefined && reasoning.length > 0) content.push({ type: 'thinking', text: reasoning });
  if (message.content !== undefined && message.content !== null) {
    const text = expectString(message.content, 'choices[0].message.content');
    if (text.length > 0) content.push({ type: 'text', text });
  }
  const toolCalls = message.tool_calls;
  if (toolCalls !== undefined && toolCalls !== null) {
    const list = expectArray(toolCalls, 'choices[0].message.tool_calls');
    for (let i = 0; i < list.length; i++) content.push(parseToolCall(list[i], `choices[0].message.tool_calls[${i}]`, true));
  }

  const hasToolCalls = content.some((part) => part.type === 'tool_call');
  const finish = choice.finish_reason;
  const response: CanonicalResponse = {
    id: expectString(body.id, 'id'),
    model: expectString(body.model, 'model'),
    created: expectNumber(body.created, 'created'),
    content,
    // Some compatible servers leave finish_reason null on complete answers; infer it from what was produced.
    finishReason:
      finish === undefined || finish === null
        ? hasToolCalls
          ? 'tool_calls'
          : 'stop'
        : parseFinishReason(expectString(finish, 'choices[0].finish_reason')),
  };
  if (body.usage !== undefined && body.usage !== null) response.usage = parseUsage(body.usage, 'usage');

  // OpenAI-only details, kept so an OpenAI client of an OpenAI upstream sees them unchanged.
  const extensions: JsonObject = {};
  copyIfPresent(body, 'system_fingerprint', extensions);
  copyIfPresent(body, 'service_tier', extensions);
  copyIfPresent(choice, 'logprobs', extensions);
  copyIfPresent(message, 'refusal', extensions);
  if (Array.isArray(message.annotations) && message.annotations.length > 0) extensions.annotations = message.annotations as JsonValue[];
  if (Object.keys(extensions).length > 0) response.extensions = { openaiChat: extensions };
  return response;
}

/**
 * Read the non-standard reasoning text of a message or delta, if a server sent one. `reasoning_content` must be a
 * string; `reasoning` is read only when it is one (some servers use that name for structured data).
 */
export function readReasoning(source: Record<string, unknown>, param: string): string | undefined {
  const content = source.reasoning_content;
  if (content !== undefined && content !== null) return expectString(content, `${param}.reasoning_content`);
  return typeof source.reasoning === 'string' ? source.reasoning : undefined;
}

function copyIfPresent(source: Record<string, unknown>, key: string, target: JsonObject): void {
  const value = source[key];
  if (value !== undefined && value !== null) target[key] = value as JsonValue;
}
