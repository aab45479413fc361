/**
 * Canonical StreamEvents → the SSE text of OpenAI `chat.completion.chunk` events, as OpenAI sends them
 * (API reference, "The chat completion chunk object"; `stream_options.include_usage`).
 *
 * Hot path: every chunk shares the same envelope, so its JSON prefix/suffix is built once at `start` and each
 * event only serialises its delta. JSON.stringify never emits a raw line break, so `data: <json>\n\n` is a
 * complete, injection-free SSE event without going through the general encoder.
 */
import type { StreamEvent } from '../canonical/types.ts';
import { SSE_DONE, encodeSseEvent } from '../sse/encoder.ts';
import { renderFinishReason, renderUsage } from './mappings.ts';

/** Options of {@link createChatStreamRenderer}. */
export interface ChatStreamRendererOptions {
  /** The client asked for `stream_options.include_usage`: send the final usage chunk and `usage: null` elsewhere. */
  includeUsage: boolean;
}

/** Renders one client-facing Chat Completions stream. */
export interface ChatStreamRenderer {
  /** The SSE text to write for this event, or '' when the client is not to see anything for it. */
  render(event: StreamEvent): string;
  /** The `data: [DONE]` terminator OpenAI sends after the last chunk. */
  renderDone(): string;
  /** An error mid-stream, written as OpenAI does: `data: {"error": {...}}`. */
  renderError(body: unknown): string;
}

/** The `data: [DONE]` terminator of a Chat Completions stream. */
export function renderChatStreamDone(): string {
  return SSE_DONE;
}

/** Write an error body (e.g. from renderOpenAIError) as an SSE data event. */
export function renderChatStreamError(body: unknown): string {
  return encodeSseEvent({ data: JSON.stringify(body) ?? 'null' });
}

/** Create a renderer for one client stream. */
export function createChatStreamRenderer(options: ChatStreamRendererOptions): ChatStreamRenderer {
  const usageNull = options.includeUsage ? ',"usage":null' : '';
  let envelope: string | undefined;
  let prefix = '';
  // Canonical tool indexes may have gaps (Anthropic numbers all content blocks); OpenAI clients index an array
  // with them, so calls are renumbered 0, 1, 2… in order of appearance.
  const toolIndex = new Map<number, number>();

  function chunk(delta: string, finishReason: string | null): string {
    if (envelope === undefined) throw new Error('chat stream renderer: the start event must come first');
    const finish = finishReason === null ? 'null' : `"${finishReason}"`;
    return `data: ${prefix}${delta},"logprobs":null,"finish_reason":${finish}}]${usageNull}}\n\n`;
  }

  function wireToolIndex(index: number): number {
    let wire = toolIndex.get(index);
    if (wire === undefined) {
      wire = toolIndex.size;
      toolIndex.set(index, wire);
    }
    return wire;
  }

  function render(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        envelope = `{"id":${JSON.stringify(event.id)},"object":"chat.completion.chunk","created":${JSON.stringify(event.created)},"model":${JSON.stringify(event.model)}`;
        prefix = `${envelope},"choices":[{"index":0,"delta":`;
        return chunk('{"role":"assistant","content":"","refusal":null}', null);
      case 'text_delta':
        return event.text.length === 0 ? '' : chunk(`{"content":${JSON.stringify(event.text)}}`, null);
      case 'thinking_delta':
        // `reasoning_content`: the de-facto field of compatible servers (DeepSeek, vLLM); see render-response.ts.
        return event.text.length === 0 ? '' : chunk(`{"reasoning_content":${JSON.stringify(event.text)}}`, null);
      case 'tool_call_start': {
        const call = { index: wireToolIndex(event.index), id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
        return chunk(`{"tool_calls":[${JSON.stringify(call)}]}`, null);
      }
      case 'tool_call_delta': {
        if (event.argumentsDelta.length === 0) return '';
        const call = { index: wireToolIndex(event.index), function: { arguments: event.argumentsDelta } };
        return chunk(`{"tool_calls":[${JSON.stringify(call)}]}`, null);
      }
      case 'thinking_signature':
        // Chat Completions has no field for a thinking block's signature.
        return '';
      case 'finish':
        return chunk('{}', renderFinishReason(event.finishReason));
      case 'usage':
        if (!options.includeUsage) return '';
        if (envelope === undefined) throw new Error('chat stream renderer: the start event must come first');
        return `data: ${envelope},"choices":[],"usage":${JSON.stringify(renderUsage(event.usage))}}\n\n`;
    }
  }

  return { render, renderDone: renderChatStreamDone, renderError: renderChatStreamError };
}
