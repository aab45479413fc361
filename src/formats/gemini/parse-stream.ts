/**
 * Upstream `streamGenerateContent?alt=sse` → canonical StreamEvents. Each SSE `data` is a complete
 * GenerateContentResponse holding the next piece of the answer (ai.google.dev/api/generate-content#method:-models.streamgeneratecontent).
 * Gemini never streams partial function-call arguments: a functionCall part arrives whole, and becomes a
 * tool_call_start plus one tool_call_delta with the complete JSON arguments.
 */
import type { ContentPart, StreamEvent, Usage } from '../canonical/types.ts';
import { parseFinishReason, parseUsage, upstreamError } from './mappings.ts';
import { blockReason, candidateParts, readHead, upstreamReader } from './parse-response.ts';
import { expectArray, expectRecord, expectString, fail, isAbsent, isRecord, typeName } from './wire-checks.ts';

/** Turns the `data` of each upstream SSE event into canonical events; one per stream. */
export interface GenerateContentStreamParser {
  /** Parse one chunk; throws FormatError on a malformed chunk and UpstreamStreamError on an in-stream error. */
  push(data: string): StreamEvent[];
  /** The upstream stream ended: returns the usage, taken from the last chunk that carried usageMetadata. */
  end(): StreamEvent[];
}

/** Create a parser for one upstream Gemini stream. */
export function createGenerateContentStreamParser(): GenerateContentStreamParser {
  let started = false;
  let finished = false;
  let hasToolCalls = false;
  let toolIndex = 0;
  // Every chunk carries the running usageMetadata; only the last one is the total, so it is held until the end.
  let usage: Usage | undefined;
  const reader = upstreamReader();

  function push(data: string): StreamEvent[] {
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      fail('Upstream stream event is not valid JSON', null);
    }
    if (!isRecord(chunk)) fail(`Expected a GenerateContentResponse chunk, got ${typeName(chunk)}`, null);
    if (!isAbsent(chunk.error)) throw upstreamError(chunk.error);
    const events: StreamEvent[] = [];
    if (!started) {
      started = true;
      events.push({ type: 'start', ...readHead(chunk) });
    }
    if (!isAbsent(chunk.usageMetadata)) usage = parseUsage(chunk.usageMetadata, 'usageMetadata');
    // Anything after the finish (Gemini sends nothing there) would break the canonical order.
    if (finished) return events;

    const candidates = isAbsent(chunk.candidates) ? [] : expectArray(chunk.candidates, 'candidates');
    const first = candidates[0];
    if (first === undefined) {
      if (blockReason(chunk) !== undefined) finish(events, 'content_filter');
      return events;
    }
    const candidate = expectRecord(first, 'candidates[0]');
    for (const part of candidateParts(candidate, 'candidates[0]', reader)) toEvents(part, events);
    if (!isAbsent(candidate.finishReason)) {
      const reason = parseFinishReason(expectString(candidate.finishReason, 'candidates[0].finishReason'), hasToolCalls);
      finish(events, reason);
    }
    return events;
  }

  function finish(events: StreamEvent[], reason: Extract<StreamEvent, { type: 'finish' }>['finishReason']): void {
    finished = true;
    events.push({ type: 'finish', finishReason: reason });
  }

  /**
   * One canonical part as events. A signature on a non-thought part (an empty ThinkingPart, see parse-parts.ts) is
   * an empty thinking_delta then thinking_signature, so a renderer can tell it from the signature of the thought
   * streamed just before it (which follows that thought's text directly).
   */
  function toEvents(part: ContentPart, events: StreamEvent[]): void {
    switch (part.type) {
      case 'thinking':
        events.push({ type: 'thinking_delta', text: part.text });
        if (part.signature !== undefined) events.push({ type: 'thinking_signature', signature: part.signature });
        break;
      case 'text':
        events.push({ type: 'text_delta', text: part.text });
        break;
      case 'tool_call': {
        hasToolCalls = true;
        const index = toolIndex++;
        events.push({ type: 'tool_call_start', index, id: part.id, name: part.name });
        events.push({ type: 'tool_call_delta', index, argumentsDelta: part.arguments });
        break;
      }
      case 'image':
      case 'tool_result':
        // Upstream parts never parse to these (parse-parts skips media in tolerant mode).
        break;
    }
  }

  function end(): StreamEvent[] {
    if (usage === undefined) return [];
    const events: StreamEvent[] = [{ type: 'usage', usage }];
    usage = undefined;
    return events;
  }

  return { push, end };
}
