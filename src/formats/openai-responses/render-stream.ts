/**
 * Canonical StreamEvents → the SSE text of a Responses stream, as OpenAI sends it: every event carries both
 * `event: <type>` and a `data` object whose `type` repeats it, and a `sequence_number` counting from 0.
 * Wire shape: API reference, "Streaming events" for responses (ResponseStreamEvent in openai-node
 * `src/resources/responses/responses.ts`). A stream is: response.created, response.in_progress, then per output
 * item output_item.added → its parts and deltas → output_item.done, then response.completed (or .incomplete /
 * .failed) with the full Response and usage. There is no `[DONE]` terminator.
 */
import type { CanonicalRequest, FinishReason, StreamEvent, Usage } from '../canonical/types.ts';
import { encodeSseEvent } from '../sse/encoder.ts';
import {
  type OutputItem,
  type ResponseStatus,
  functionCallItem,
  itemId,
  messageItem,
  outputText,
  reasoningItem,
  renderResponseObject,
  responseEcho,
  responseId,
  responseStatus,
} from './response-object.ts';

/** Renders one client-facing Responses stream. */
export interface ResponsesStreamRenderer {
  /** The SSE text to write for this event ('' when the client is to see nothing for it). */
  render(event: StreamEvent): string;
  /** Called after the last event: the terminal response event if usage never came, else ''. */
  end(): string;
  /** An error mid-stream: an `error` event, then `response.failed` once the response has been created. */
  error(body: unknown): string;
}

type TextItem = { kind: 'message' | 'reasoning'; index: number; id: string; text: string; signature?: string };
type CallItem = { index: number; id: string; callId: string; name: string; args: string };

/** Create a renderer for one client stream; `request` fills the Response's echo fields. */
export function createResponsesStreamRenderer(request?: CanonicalRequest): ResponsesStreamRenderer {
  const echo = responseEcho(request);
  let sequence = 0;
  let head: { id: string; model: string; createdAt: number } | undefined;
  let opened = 0;
  // Done items by output index; open ones are `current` (the message or reasoning item being written) and `calls`.
  const done: OutputItem[] = [];
  let current: TextItem | undefined;
  // Tool calls stay open until the finish: canonical deltas of parallel calls may interleave (Chat Completions
  // allows it), and open items in Responses are told apart by output_index.
  const calls = new Map<number, CallItem>();
  let status: ResponseStatus | undefined;
  let usage: Usage | undefined;
  let terminated = false;
  // An empty thinking_delta announces that the next thinking_signature belongs to the part after it, not to the
  // thought before it (Gemini signs function calls and text parts; see gemini/parse-stream.ts).
  let signatureAnnounced = false;

  function emit(type: string, payload: Record<string, unknown>): string {
    return encodeSseEvent({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...payload }) });
  }

  function started(): { id: string; model: string; createdAt: number } {
    if (head === undefined) throw new Error('responses stream renderer: the start event must come first');
    return head;
  }

  function response(state: 'in_progress' | ResponseStatus, output: OutputItem[]): Record<string, unknown> {
    const { id, model, createdAt } = started();
    const final = typeof state !== 'string';
    return renderResponseObject(
      {
        id,
        createdAt,
        model,
        status: final ? state.status : state,
        output,
        usage: final ? usage : undefined,
        incompleteDetails: final ? state.incompleteDetails : null,
        error: final ? state.error : null,
      },
      echo,
    );
  }

  /** The open item of this kind, opening it (and closing the other one) when needed, with the events that took. */
  function textItem(kind: TextItem['kind']): [string, TextItem] {
    if (current?.kind === kind) return ['', current];
    const { id } = started();
    let out = closeCurrent('completed');
    const index = opened++;
    const item: TextItem = { kind, index, id: itemId(kind === 'message' ? 'msg' : 'rs', id, index), text: '' };
    current = item;
    if (kind === 'message') {
      out += emit('response.output_item.added', { output_index: index, item: { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      out += emit('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: outputText('') });
    } else {
      out += emit('response.output_item.added', { output_index: index, item: { id: item.id, type: 'reasoning', summary: [] } });
      out += emit('response.reasoning_summary_part.added', { item_id: item.id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    return [out, item];
  }

  function closeCurrent(itemStatus: string): string {
    const item = current;
    if (item === undefined) return '';
    current = undefined;
    const at = { item_id: item.id, output_index: item.index };
    if (item.kind === 'message') {
      const final = messageItem(item.id, item.text, itemStatus);
      done[item.index] = final;
      return (
        emit('response.output_text.done', { ...at, content_index: 0, text: item.text, logprobs: [] }) +
        emit('response.content_part.done', { ...at, content_index: 0, part: outputText(item.text) }) +
        emit('response.output_item.done', { output_index: item.index, item: final })
      );
    }
    const final = reasoningItem(item.id, item.text, item.signature);
    done[item.index] = final;
    return (
      emit('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: item.text }) +
      emit('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: { type: 'summary_text', text: item.text } }) +
      emit('response.output_item.done', { output_index: item.index, item: final })
    );
  }

  /**
   * A signature that belongs to no thought gets a reasoning item of its own, with an empty summary: the item the JSON
   * renderer makes of the same answer, which a replaying client sends back so the signature returns to its part.
   */
  function signatureItem(signature: string): string {
    const { id } = started();
    const out = closeCurrent('completed');
    const index = opened++;
    const rsId = itemId('rs', id, index);
    const item = reasoningItem(rsId, '', signature);
    done[index] = item;
    return (
      out +
      emit('response.output_item.added', { output_index: index, item: { id: rsId, type: 'reasoning', summary: [] } }) +
      emit('response.output_item.done', { output_index: index, item })
    );
  }

  function closeCall(call: CallItem, itemStatus: string): string {
    const final = functionCallItem(call.id, call.callId, call.name, call.args, itemStatus);
    done[call.index] = final;
    return (
      emit('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, arguments: call.args }) +
      emit('response.output_item.done', { output_index: call.index, item: final })
    );
  }

  /** Close every open item in output order; when the answer was cut short, the last item is the incomplete one. */
  function closeAll(finalStatus: ResponseStatus): string {
    const last = opened - 1;
    const statusOf = (index: number): string => (finalStatus.status === 'incomplete' && index === last ? 'incomplete' : 'completed');
    const open: { index: number; close: () => string }[] = [...calls.values()].map((call) => ({ index: call.index, close: () => closeCall(call, statusOf(call.index)) }));
    const text = current;
    if (text !== undefined) open.push({ index: text.index, close: () => closeCurrent(statusOf(text.index)) });
    calls.clear();
    return open
      .sort((a, b) => a.index - b.index)
      .map((item) => item.close())
      .join('');
  }

  function terminal(): string {
    if (status === undefined || terminated) return '';
    terminated = true;
    const type = status.status === 'completed' ? 'response.completed' : status.status === 'incomplete' ? 'response.incomplete' : 'response.failed';
    return emit(type, { response: response(status, done) });
  }

  function finish(reason: FinishReason): string {
    if (status !== undefined) return '';
    started();
    status = responseStatus(reason);
    const out = closeAll(status);
    // Usage normally follows the finish; when it came first, nothing is left to wait for.
    return usage === undefined ? out : out + terminal();
  }

  function render(event: StreamEvent): string {
    if (terminated) return '';
    const announced = signatureAnnounced;
    signatureAnnounced = false;
    switch (event.type) {
      case 'start': {
        head = { id: responseId(event.id), model: event.model, createdAt: event.created };
        const initial = response('in_progress', []);
        return emit('response.created', { response: initial }) + emit('response.in_progress', { response: initial });
      }
      case 'text_delta':
      case 'thinking_delta': {
        if (event.text.length === 0) {
          signatureAnnounced = event.type === 'thinking_delta';
          return '';
        }
        const kind = event.type === 'text_delta' ? 'message' : 'reasoning';
        const [out, item] = textItem(kind);
        item.text += event.text;
        const at = { item_id: item.id, output_index: item.index };
        if (kind === 'message') return out + emit('response.output_text.delta', { ...at, content_index: 0, delta: event.text, logprobs: [] });
        return out + emit('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: event.text });
      }
      case 'thinking_signature':
        if (announced) return signatureItem(event.signature);
        // Anthropic signs a thinking block as its last delta, so the signature ends the reasoning item. One that
        // arrives with no reasoning item open has no block to belong to and is dropped.
        if (current?.kind !== 'reasoning') return '';
        current.signature = event.signature;
        return closeCurrent('completed');
      case 'tool_call_start': {
        const { id } = started();
        const out = closeCurrent('completed');
        const index = opened++;
        const call: CallItem = { index, id: itemId('fc', id, index), callId: event.id, name: event.name, args: '' };
        calls.set(event.index, call);
        return out + emit('response.output_item.added', { output_index: index, item: functionCallItem(call.id, call.callId, call.name, '', 'in_progress') });
      }
      case 'tool_call_delta': {
        const call = calls.get(event.index);
        if (call === undefined) throw new Error('responses stream renderer: tool_call_delta for a call that was not started');
        if (event.argumentsDelta.length === 0) return '';
        call.args += event.argumentsDelta;
        return emit('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: event.argumentsDelta });
      }
      case 'finish':
        return finish(event.finishReason);
      case 'usage':
        usage = event.usage;
        return terminal();
    }
  }

  function error(body: unknown): string {
    const details = errorDetails(body);
    let out = emit('error', { code: details.code, message: details.message, param: details.param });
    if (head !== undefined && !terminated) {
      terminated = true;
      // What was produced so far, the unfinished items marked incomplete (as OpenAI reports a failed response).
      const output = [...done];
      if (current !== undefined) {
        output[current.index] = current.kind === 'message' ? messageItem(current.id, current.text, 'incomplete') : reasoningItem(current.id, current.text, current.signature);
      }
      for (const call of calls.values()) output[call.index] = functionCallItem(call.id, call.callId, call.name, call.args, 'incomplete');
      const failed: ResponseStatus = { status: 'failed', incompleteDetails: null, error: { code: details.responseCode, message: details.message } };
      out += emit('response.failed', { response: response(failed, output.filter((item) => item !== undefined)) });
    }
    terminated = true;
    return out;
  }

  return { render, end: () => terminal(), error };
}

/**
 * The fields of an `error` event from an error body (normally OpenAI's `{error: {message, type, param, code}}` as
 * the error renderer makes it). The event keeps Rampart's stable code; `response.error.code` must be one of
 * OpenAI's ResponseError codes, so it says `rate_limit_exceeded` or `server_error`.
 */
function errorDetails(body: unknown): { code: string | null; message: string; param: string | null; responseCode: string } {
  const outer = isObject(body) ? body : {};
  const inner = isObject(outer.error) ? outer.error : outer;
  const message = typeof inner.message === 'string' ? inner.message : 'The request failed.';
  return {
    code: typeof inner.code === 'string' ? inner.code : null,
    message,
    param: typeof inner.param === 'string' ? inner.param : null,
    responseCode: inner.type === 'rate_limit_error' ? 'rate_limit_exceeded' : 'server_error',
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
