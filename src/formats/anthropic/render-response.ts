/**
 * CanonicalResponse → the `Message` object a client's Anthropic SDK expects.
 * Wire shape: API reference, "Messages" → "Create a Message" response (Message in anthropic-sdk-typescript).
 */
import type { CanonicalResponse } from '../canonical/types.ts';
import { readResponseExtensions } from './extensions.ts';
import { renderStopReason, renderUsage, ZERO_USAGE, type AnthropicUsage } from './mappings.ts';
import { parseArguments } from './render-messages.ts';

/** Anthropic's Message as Rampart renders it. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: Record<string, unknown>[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/**
 * Render a complete (non-streaming) answer. Thinking without a signature (from providers that have none) is sent
 * with an empty signature, which the Anthropic renderer treats as unsigned and never sends upstream. Tool-call
 * arguments that are not a JSON object are refused (FormatError), never replaced by `{}`. Without upstream usage,
 * zeros are reported: the field is required.
 */
export function renderMessagesResponse(response: CanonicalResponse): AnthropicMessage {
  const ext = readResponseExtensions(response.extensions);
  const content: Record<string, unknown>[] = [];
  const redactedBefore = (index: number): void => {
    for (const mark of ext.redactedThinking) if (mark.before === index) content.push({ type: 'redacted_thinking', data: mark.data });
  };
  response.content.forEach((part, i) => {
    redactedBefore(i);
    if (part.type === 'text') content.push({ type: 'text', text: part.text });
    else if (part.type === 'thinking') content.push({ type: 'thinking', thinking: part.text, signature: part.signature ?? '' });
    else content.push({ type: 'tool_use', id: part.id, name: part.name, input: parseArguments(part.arguments, `content.${content.length}.input`) });
  });
  for (const mark of ext.redactedThinking) if (mark.before >= response.content.length) content.push({ type: 'redacted_thinking', data: mark.data });

  const stopReason = renderStopReason(response.finishReason, ext.stopReason);
  return {
    id: response.id,
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (ext.stopSequence ?? null) : null,
    usage: renderUsage(response.usage ?? ZERO_USAGE),
  };
}
