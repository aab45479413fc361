/**
 * Upstream `chat.completion.chunk` SSE data → canonical StreamEvents.
 * Wire shape: API reference, "The chat completion chunk object" and "Streaming" (ChatCompletionChunk in
 * openai-node). Runs once per upstream chunk: hand-written checks, no allocation beyond the events it returns.
 */
import type { StreamEvent, Usage } from '../canonical/types.ts';
import { parseFinishReason, parseUsage } from './mappings.ts';
import { readReasoning } from './parse-response.ts';
import { expectArray, expectInteger, expectNonEmptyString, expectNumber, expectRecord, expectString, fail, isRecord, typeName } from './wire-checks.ts';

/** Turns the `data` of each upstream SSE event into canonical events; one per stream. */
export interface ChatStreamParser {
  /** Parse one SSE `data` payload (`[DONE]` included); throws FormatError on invalid JSON or a wrong shape. */
  push(data: string): StreamEvent[];
  /** The upstream stream ended (with or without `[DONE]`): returns a usage still held back, if any. */
  end(): StreamEvent[];
}

/** Create a parser for one upstream Chat Completions stream. */
export function createChatStreamParser(): ChatStreamParser {
  let started = false;
  const seenToolCalls = new Set<number>();
  // Usage that arrived on a chunk that still had choices: some compatible servers attach (running) usage to
  // content chunks instead of sending OpenAI's final `choices: []` chunk. Only the last one is the total.
  let heldUsage: Usage | undefined;

  function flushHeldUsage(): StreamEvent[] {
    if (heldUsage === undefined) return [];
    const usage = heldUsage;
    heldUsage = undefined;
    return [{ type: 'usage', usage }];
  }

  function push(data: string): StreamEvent[] {
    if (data === '[DONE]') return flushHeldUsage();
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      fail('Upstream stream event is not valid JSON', null);
    }
    if (!isRecord(chunk)) fail(`Expected a chat.completion.chunk object, got ${typeName(chunk)}`, null);
    // Errors mid-stream arrive as `data: {"error": {...}}`; the caller maps this to its own error, never the body.
    if (chunk.error !== undefined && chunk.error !== null) fail('Upstream stream reported an error', 'error');
    const choices = chunk.choices === undefined || chunk.choices === null ? NO_CHOICES : expectArray(chunk.choices, 'choices');
    const usage = chunk.usage;
    const hasUsage = usage !== undefined && usage !== null;
    const events: StreamEvent[] = [];

    if (!started) {
      // Chunks with neither choices nor usage (e.g. Azure's leading prompt_filter_results chunk, which has an empty
      // id and model) are not the start of the answer.
      if (choices.length === 0 && !hasUsage) return [];
      started = true;
      events.push({
        type: 'start',
        id: expectString(chunk.id, 'id'),
        model: expectString(chunk.model, 'model'),
        created: expectNumber(chunk.created, 'created'),
      });
    }

    for (let i = 0; i < choices.length; i++) {
      const param = `choices[${i}]`;
      const choice = expectRecord(choices[i], param);
      // The request parser refuses n > 1; ignore any other choice a server might still send.
      if (choice.index !== undefined && choice.index !== 0) continue;
      const delta = choice.delta;
      if (delta !== undefined && delta !== null) readDelta(expectRecord(delta, `${param}.delta`), `${param}.delta`, events);
      const finish = choice.finish_reason;
      if (finish !== undefined && finish !== null) {
        events.push({ type: 'finish', finishReason: parseFinishReason(expectString(finish, `${param}.finish_reason`)) });
      }
    }

    if (hasUsage) {
      const parsed = parseUsage(usage, 'usage');
      if (choices.length === 0) {
        heldUsage = undefined;
        events.push({ type: 'usage', usage: parsed });
      } else {
        heldUsage = parsed;
      }
    }
    return events;
  }

  function readDelta(delta: Record<string, unknown>, param: string, events: StreamEvent[]): void {
    const reasoning = readReasoning(delta, param);
    if (reasoning !== undefined && reasoning.length > 0) events.push({ type: 'thinking_delta', text: reasoning });
    const content = delta.content;
    if (content !== undefined && content !== null) {
      const text = expectString(content, `${param}.content`);
      if (text.length > 0) events.push({ type: 'text_delta', text });
    }
    const toolCalls = delta.tool_calls;
    if (toolCalls === undefined || toolCalls === null) return;
    const list = expectArray(toolCalls, `${param}.tool_calls`);
    for (let j = 0; j < list.length; j++) {
      const callParam = `${param}.tool_calls[${j}]`;
      const call = expectRecord(list[j], callParam);
      // `index` is required by OpenAI; a few servers omit it when each chunk carries whole calls.
      const index = call.index === undefined ? j : expectInteger(call.index, `${callParam}.index`, 0);
      const fn = call.function === undefined || call.function === null ? EMPTY : expectRecord(call.function, `${callParam}.function`);
      if (!seenToolCalls.has(index)) {
        seenToolCalls.add(index);
        events.push({
          type: 'tool_call_start',
          index,
          id: expectNonEmptyString(call.id, `${callParam}.id`),
          name: expectNonEmptyString(fn.name, `${callParam}.function.name`),
        });
      }
      const args = fn.arguments;
      if (args !== undefined && args !== null) {
        const argumentsDelta = expectString(args, `${callParam}.function.arguments`);
        if (argumentsDelta.length > 0) events.push({ type: 'tool_call_delta', index, argumentsDelta });
      }
    }
  }

  return { push, end: flushHeldUsage };
}

const NO_CHOICES: unknown[] = [];
const EMPTY: Record<string, unknown> = {};
