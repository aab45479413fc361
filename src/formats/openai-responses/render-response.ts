/**
 * CanonicalResponse → the Responses `response` object a client's SDK expects from `POST /v1/responses`.
 * Wire shape: API reference, "The response object" (Response in openai-node `src/resources/responses/responses.ts`).
 */
import type { CanonicalRequest, CanonicalResponse } from '../canonical/types.ts';
import {
  type OutputItem,
  functionCallItem,
  itemId,
  messageItem,
  reasoningItem,
  renderResponseObject,
  responseEcho,
  responseId,
  responseStatus,
} from './response-object.ts';

/**
 * Render a complete (non-streaming) answer. Canonical parts become output items in order: each thinking part a
 * reasoning item (one per part, so a provider's per-block signature stays with its block), each run of text parts
 * one assistant message (as the stream renders it), each tool call a function_call item. When the answer was cut
 * short, its last item is `incomplete`. `request`, when given, fills the echo fields (see responseEcho).
 */
export function renderResponsesResponse(response: CanonicalResponse, request?: CanonicalRequest): Record<string, unknown> {
  const id = responseId(response.id);
  const status = responseStatus(response.finishReason);
  const output: OutputItem[] = [];
  let text: string | undefined;

  const flushText = (): void => {
    if (text === undefined) return;
    output.push(messageItem(itemId('msg', id, output.length), text, 'completed'));
    text = undefined;
  };
  for (const part of response.content) {
    if (part.type === 'text') {
      text = (text ?? '') + part.text;
      continue;
    }
    flushText();
    if (part.type === 'thinking') output.push(reasoningItem(itemId('rs', id, output.length), part.text, part.signature));
    else output.push(functionCallItem(itemId('fc', id, output.length), part.id, part.name, part.arguments, 'completed'));
  }
  flushText();

  const last = output[output.length - 1];
  if (status.status === 'incomplete' && last !== undefined && last.type !== 'reasoning') last.status = 'incomplete';

  return renderResponseObject(
    {
      id,
      createdAt: response.created,
      model: response.model,
      status: status.status,
      output,
      usage: response.usage,
      incompleteDetails: status.incompleteDetails,
      error: status.error,
    },
    responseEcho(request),
  );
}
