/**
 * CanonicalResponse → the `chat.completion` object a client's openai SDK expects.
 * Wire shape: API reference, "The chat completion object" (ChatCompletion in openai-node).
 */
import type { CanonicalResponse, JsonValue } from '../canonical/types.ts';
import { renderFinishReason, renderUsage } from './mappings.ts';

/** Render a complete (non-streaming) answer. */
export function renderChatResponse(response: CanonicalResponse): Record<string, unknown> {
  const extensions = response.extensions?.openaiChat;
  let text: string | null = null;
  let reasoning: string | null = null;
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for (const part of response.content) {
    // Chat Completions has one content string: several canonical text blocks (e.g. from Anthropic) are joined.
    if (part.type === 'text') text = text === null ? part.text : text + part.text;
    else if (part.type === 'thinking') reasoning = reasoning === null ? part.text : reasoning + part.text;
    else toolCalls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } });
  }

  const message: Record<string, unknown> = {
    role: 'assistant',
    // null when the answer is only tool calls, as OpenAI sends it.
    content: text,
    refusal: stringOrNull(extensions?.refusal),
  };
  if (extensions?.annotations !== undefined) message.annotations = extensions.annotations;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  // Not OpenAI's field, but the de-facto one (DeepSeek, vLLM, …) that clients such as Cline display; the openai
  // SDK ignores unknown fields, so it costs nothing when the client does not read it.
  if (reasoning !== null) message.reasoning_content = reasoning;

  const body: Record<string, unknown> = {
    id: response.id,
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: extensions?.logprobs ?? null, finish_reason: renderFinishReason(response.finishReason) }],
  };
  if (response.usage !== undefined) body.usage = renderUsage(response.usage);
  if (extensions?.service_tier !== undefined) body.service_tier = extensions.service_tier;
  if (extensions?.system_fingerprint !== undefined) body.system_fingerprint = extensions.system_fingerprint;
  return body;
}

function stringOrNull(value: JsonValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}
