/**
 * Upstream Anthropic Messages SSE events → canonical StreamEvents.
 * Wire shape: "Streaming Messages" guide (event flow: message_start, content_block_start / _delta / _stop per
 * block, message_delta, message_stop; `ping` and `error` anywhere) and RawMessageStreamEvent in
 * anthropic-sdk-typescript. Per Anthropic's versioning policy, unknown event types are ignored, not errors.
 *
 * Usage arrives in two halves (input counts in message_start, final output in message_delta, whose non-null counts
 * are cumulative totals that win); it is emitted once, after `finish`, at message_stop, or at end() if the stream
 * stopped before it. Redacted thinking blocks have no stream event and are dropped from streamed answers.
 */
import { UpstreamStreamError } from '../canonical/upstream-stream-error.ts';
import type { StreamEvent } from '../canonical/types.ts';
import { parseStopReason, readUsageCounts, toCanonicalUsage, type UsageCounts } from './mappings.ts';
import { expectInteger, expectNonEmptyString, expectRecord, expectString, fail, isAbsent, isRecord, parseJsonEvent, typeName, wireName } from './wire-checks.ts';

/** Turns each upstream SSE event into canonical events; one per stream. */
export interface MessagesStreamParser {
  /** Parse one SSE event (`data`, and the `event:` name when sent); throws FormatError or UpstreamStreamError. */
  push(data: string, event?: string): StreamEvent[];
  /** The upstream stream ended: returns a usage still held back, if any. */
  end(): StreamEvent[];
}

type BlockKind = 'text' | 'thinking' | 'tool_use' | 'other';

/** The block kind each delta type may update. */
const DELTA_BLOCK: Readonly<Record<string, BlockKind>> = {
  text_delta: 'text',
  thinking_delta: 'thinking',
  signature_delta: 'thinking',
  input_json_delta: 'tool_use',
};

const ERROR_KINDS: Readonly<Record<string, UpstreamStreamError['kind']>> = {
  overloaded_error: 'overloaded',
  rate_limit_error: 'rate_limit',
  invalid_request_error: 'invalid_request',
  request_too_large: 'invalid_request',
  not_found_error: 'invalid_request',
  authentication_error: 'authentication',
  permission_error: 'authentication',
  billing_error: 'authentication',
};

/** Create a parser for one upstream Messages stream. */
export function createMessagesStreamParser(): MessagesStreamParser {
  let started = false;
  let usageSent = false;
  const counts: UsageCounts = {};
  const blocks = new Map<number, BlockKind>();

  function usageEvents(): StreamEvent[] {
    if (!started || usageSent) return [];
    usageSent = true;
    return [{ type: 'usage', usage: toCanonicalUsage(counts) }];
  }

  function mergeUsage(value: unknown, param: string): void {
    if (isAbsent(value)) return;
    Object.assign(counts, readUsageCounts(value, param));
  }

  function push(data: string, event?: string): StreamEvent[] {
    if (event === 'ping') return [];
    const payload = parseJsonEvent(data);
    if (!isRecord(payload)) fail(`Expected a stream event object, got ${typeName(payload)}`, null);
    const type = payload.type;
    if (event === 'error' || type === 'error') throw toUpstreamError(payload.error);
    switch (type) {
      case 'message_start': {
        const message = expectRecord(payload.message, 'message');
        started = true;
        mergeUsage(message.usage, 'message.usage');
        return [{ type: 'start', id: expectString(message.id, 'message.id'), model: expectString(message.model, 'message.model'), created: 0 }];
      }
      case 'content_block_start':
        return blockStart(expectInteger(payload.index, 'index', 0), expectRecord(payload.content_block, 'content_block'));
      case 'content_block_delta':
        return blockDelta(expectInteger(payload.index, 'index', 0), expectRecord(payload.delta, 'delta'));
      case 'message_delta': {
        const delta = expectRecord(payload.delta, 'delta');
        mergeUsage(payload.usage, 'usage');
        if (isAbsent(delta.stop_reason)) return [];
        return [{ type: 'finish', finishReason: parseStopReason(expectString(delta.stop_reason, 'delta.stop_reason')) }];
      }
      case 'message_stop':
        return usageEvents();
      default:
        // content_block_stop, ping, and event types added after this was written.
        return [];
    }
  }

  function blockStart(index: number, block: Record<string, unknown>): StreamEvent[] {
    if (!started) fail('content_block_start before message_start', 'index');
    const events: StreamEvent[] = [];
    switch (block.type) {
      case 'text': {
        blocks.set(index, 'text');
        const text = isAbsent(block.text) ? '' : expectString(block.text, 'content_block.text');
        if (text.length > 0) events.push({ type: 'text_delta', text });
        break;
      }
      case 'thinking': {
        blocks.set(index, 'thinking');
        const text = isAbsent(block.thinking) ? '' : expectString(block.thinking, 'content_block.thinking');
        if (text.length > 0) events.push({ type: 'thinking_delta', text });
        const signature = isAbsent(block.signature) ? '' : expectString(block.signature, 'content_block.signature');
        if (signature.length > 0) events.push({ type: 'thinking_signature', signature });
        break;
      }
      case 'tool_use': {
        blocks.set(index, 'tool_use');
        // The canonical tool index is the block index: unique per call, and increasing in stream order.
        events.push({ type: 'tool_call_start', index, id: expectNonEmptyString(block.id, 'content_block.id'), name: expectNonEmptyString(block.name, 'content_block.name') });
        // Anthropic starts with `input: {}` and streams the JSON; an input given up front is the whole input.
        if (isRecord(block.input) && Object.keys(block.input).length > 0) {
          events.push({ type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(block.input) });
        }
        break;
      }
      default:
        blocks.set(index, 'other');
    }
    return events;
  }

  function blockDelta(index: number, delta: Record<string, unknown>): StreamEvent[] {
    const kind = blocks.get(index);
    if (kind === undefined) fail(`content_block_delta for block ${index}, which never started`, 'index');
    const expected = typeof delta.type === 'string' && Object.hasOwn(DELTA_BLOCK, delta.type) ? DELTA_BLOCK[delta.type] : undefined;
    // citations_delta, deltas added after this was written, and deltas of blocks with no canonical form.
    if (expected === undefined || kind === 'other') return [];
    if (kind !== expected) fail(`A ${wireName(delta.type)} delta cannot update a ${kind} block`, 'delta.type');
    switch (delta.type) {
      case 'text_delta': {
        const text = expectString(delta.text, 'delta.text');
        return text.length === 0 ? [] : [{ type: 'text_delta', text }];
      }
      case 'thinking_delta': {
        const text = expectString(delta.thinking, 'delta.thinking');
        return text.length === 0 ? [] : [{ type: 'thinking_delta', text }];
      }
      case 'signature_delta':
        return [{ type: 'thinking_signature', signature: expectString(delta.signature, 'delta.signature') }];
      case 'input_json_delta': {
        const json = expectString(delta.partial_json, 'delta.partial_json');
        return json.length === 0 ? [] : [{ type: 'tool_call_delta', index, argumentsDelta: json }];
      }
      default:
        return [];
    }
  }

  return { push, end: usageEvents };
}

/** Map the `error` object of an in-stream error event; its message stays out of the client's sight. */
function toUpstreamError(value: unknown): UpstreamStreamError {
  const type = isRecord(value) && typeof value.type === 'string' ? value.type : 'api_error';
  const kind = Object.hasOwn(ERROR_KINDS, type) ? (ERROR_KINDS[type] ?? 'api_error') : 'api_error';
  return new UpstreamStreamError(kind, `Anthropic stream error (${wireName(type)})`);
}
