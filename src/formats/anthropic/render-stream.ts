/**
 * Canonical StreamEvents → the SSE text of an Anthropic Messages stream, as Anthropic sends it ("Streaming
 * Messages" guide): `event: message_start`, then per content block `content_block_start`, `content_block_delta`
 * (text_delta, thinking_delta, signature_delta, input_json_delta) and `content_block_stop`, then `message_delta`
 * (stop_reason + usage) and `message_stop`. Every event carries its `event:` name: the SDK skips unnamed events.
 *
 * Blocks are numbered 0, 1, 2… in the order they open (the SDK indexes its content array with them), and one
 * block is open at a time: a new one opens whenever the kind changes (thinking → text → tool_use…), when a
 * thinking block already got its signature, or when a signature follows an empty thinking_delta: that is how a
 * signature Gemini put on a text or functionCall part travels (gemini/parse-stream.ts), and like a non-streamed
 * answer (render-response.ts) it gets an empty signed thinking block of its own, not the thought streamed before,
 * so a client that sends the blocks back returns it to that part. Canonical usage arrives only at the end, so
 * message_start reports zero counts and message_delta the final ones (the SDK overwrites with every non-null count
 * it gets there).
 *
 * OpenAI-compatible servers may, in theory, interleave argument deltas of parallel tool calls; Anthropic never does.
 * A delta for a tool block that is no longer open is still sent with that block's index, which index-keyed
 * consumers (the SDK) apply correctly.
 */
import type { FinishReason, StreamEvent, Usage } from '../canonical/types.ts';
import { renderStopReason, renderUsage } from './mappings.ts';

/** Renders one client-facing Messages stream. */
export interface MessagesStreamRenderer {
  /** The SSE text to write for this event ('' when the client is to see nothing for it). */
  render(event: StreamEvent): string;
  /** Closes the stream: message_delta and message_stop, unless already written once usage arrived. */
  end(): string;
  /** An error mid-stream, as Anthropic sends it: `event: error` with the error body (e.g. from renderAnthropicError). */
  error(body: unknown): string;
}

type BlockKind = 'text' | 'thinking' | 'tool_use';
interface OpenBlock {
  kind: BlockKind;
  index: number;
  /** A thinking block that got its signature takes no more deltas. */
  signed: boolean;
}

/** A thinking block opens empty; `signature` is present because the SDK's ThinkingBlock type requires it. */
const EMPTY_THINKING = { type: 'thinking', thinking: '', signature: '' };

function sse(event: string, data: unknown): string {
  // JSON.stringify never emits a raw line break, so one `data:` line is a complete, injection-free field.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Write an error body as Anthropic's in-stream error event. */
export function renderMessagesStreamError(body: unknown): string {
  return `event: error\ndata: ${JSON.stringify(body) ?? 'null'}\n\n`;
}

/** Create a renderer for one client stream. */
export function createMessagesStreamRenderer(): MessagesStreamRenderer {
  let started = false;
  let stopped = false;
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  const toolBlocks = new Map<number, number>();
  let finish: FinishReason | undefined;
  let usage: Usage | undefined;
  /** The previous event was an empty thinking_delta: a signature now belongs to a block of its own. */
  let detachedSignature = false;

  function close(): string {
    if (open === undefined) return '';
    const index = open.index;
    open = undefined;
    return sse('content_block_stop', { type: 'content_block_stop', index });
  }

  /** Close the open block and start a new one; returns the SSE text and the new block. */
  function start(kind: BlockKind, contentBlock: Record<string, unknown>): { text: string; block: OpenBlock } {
    const closing = close();
    const block: OpenBlock = { kind, index: nextIndex++, signed: false };
    open = block;
    return { text: closing + sse('content_block_start', { type: 'content_block_start', index: block.index, content_block: contentBlock }), block };
  }

  /** The open block if it is of `kind` (and, for thinking, still unsigned), else a new one. */
  function current(kind: BlockKind, contentBlock: Record<string, unknown>): { text: string; block: OpenBlock } {
    if (open !== undefined && open.kind === kind && !open.signed) return { text: '', block: open };
    return start(kind, contentBlock);
  }

  function delta(index: number, body: Record<string, unknown>): string {
    return sse('content_block_delta', { type: 'content_block_delta', index, delta: body });
  }

  function finalEvents(): string {
    stopped = true;
    const stopReason = renderStopReason(finish ?? 'stop');
    const finalUsage = usage === undefined ? { output_tokens: 0 } : renderUsage(usage);
    return (
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: finalUsage }) +
      sse('message_stop', { type: 'message_stop' })
    );
  }

  function render(event: StreamEvent): string {
    if (event.type === 'start') {
      if (started) return '';
      started = true;
      const usage0 = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
      const message = { id: event.id, type: 'message', role: 'assistant', model: event.model, content: [], stop_reason: null, stop_sequence: null, usage: usage0 };
      return sse('message_start', { type: 'message_start', message });
    }
    if (!started) throw new Error('anthropic stream renderer: the start event must come first');
    if (stopped) return '';
    const detached = detachedSignature;
    detachedSignature = false;
    switch (event.type) {
      case 'text_delta': {
        if (event.text.length === 0) return '';
        const { text, block } = current('text', { type: 'text', text: '' });
        return text + delta(block.index, { type: 'text_delta', text: event.text });
      }
      case 'thinking_delta': {
        if (event.text.length === 0) {
          detachedSignature = true;
          return '';
        }
        const { text, block } = current('thinking', EMPTY_THINKING);
        return text + delta(block.index, { type: 'thinking_delta', thinking: event.text });
      }
      case 'thinking_signature': {
        // Anthropic sends the signature just before the block stops; a later thinking delta starts a new block.
        const { text, block } = detached ? start('thinking', EMPTY_THINKING) : current('thinking', EMPTY_THINKING);
        block.signed = true;
        return text + delta(block.index, { type: 'signature_delta', signature: event.signature });
      }
      case 'tool_call_start': {
        const { text, block } = start('tool_use', { type: 'tool_use', id: event.id, name: event.name, input: {} });
        toolBlocks.set(event.index, block.index);
        return text;
      }
      case 'tool_call_delta': {
        if (event.argumentsDelta.length === 0) return '';
        const index = toolBlocks.get(event.index);
        if (index === undefined) throw new Error('anthropic stream renderer: tool_call_delta before its tool_call_start');
        return delta(index, { type: 'input_json_delta', partial_json: event.argumentsDelta });
      }
      case 'finish': {
        finish = event.finishReason;
        const out = close();
        return usage === undefined ? out : out + finalEvents();
      }
      case 'usage':
        usage = event.usage;
        return finish === undefined ? '' : finalEvents();
    }
  }

  function end(): string {
    if (!started || stopped) return '';
    return close() + finalEvents();
  }

  return { render, end, error: renderMessagesStreamError };
}
