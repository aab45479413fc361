// An AnthropicPlan as the named SSE events of a Messages stream (Anthropic docs, "Streaming Messages"):
// message_start, then per block content_block_start / content_block_delta… / content_block_stop (a ping after
// the first start), message_delta with stop_reason and output_tokens, message_stop.
import { anthropicErrorForStatus } from './anthropic-errors.ts';
import { ANTHROPIC_STREAM_ERROR_STATUS } from './anthropic-http.ts';
import type { AnthropicPlan, PlannedBlock } from './anthropic-plan.ts';
import { THINKING_SIGNATURE, anthropicUsage } from './anthropic-plan.ts';
import type { SsePlan } from './sse.ts';
import { encodeSse } from './sse.ts';

function event(type: string, body: Record<string, unknown>): string {
  return encodeSse(JSON.stringify({ type, ...body }), type);
}

function startBlock(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'text':
      return { type: 'text', text: '' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  }
}

function deltas(block: PlannedBlock): Record<string, unknown>[] {
  switch (block.type) {
    case 'thinking':
      return [...block.pieces.map((thinking) => ({ type: 'thinking_delta', thinking })), { type: 'signature_delta', signature: THINKING_SIGNATURE }];
    case 'text':
      return block.pieces.map((text) => ({ type: 'text_delta', text }));
    case 'tool_use':
      // Claude opens every tool input with an empty fragment before the JSON arrives.
      return ['', ...block.pieces].map((partial_json) => ({ type: 'input_json_delta', partial_json }));
  }
}

/** The events of a streamed answer; every content_block_delta is a content chunk for the faults. */
export function anthropicStreamPlan(plan: AnthropicPlan): SsePlan {
  const message = {
    id: plan.id,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    // The opening usage counts the first output token already, as the live API's does.
    usage: anthropicUsage(plan.inputTokens, 1),
  };
  const events = [event('message_start', { message })];
  const contentAt: number[] = [];
  plan.blocks.forEach((block, index) => {
    events.push(event('content_block_start', { index, content_block: startBlock(block) }));
    if (index === 0) {
      events.push(event('ping', {}));
      contentAt.push(events.length - 1);
    }
    for (const delta of deltas(block)) {
      events.push(event('content_block_delta', { index, delta }));
      contentAt.push(events.length - 1);
    }
    events.push(event('content_block_stop', { index }));
  });
  if (contentAt.length === 0) contentAt.push(0);
  events.push(event('message_delta', { delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence }, usage: { output_tokens: plan.outputTokens } }));
  events.push(event('message_stop', {}));
  return {
    events,
    contentAt,
    // Unnamed data would be skipped by clients that dispatch on the event name, so the bad payload keeps one.
    malformed: 'event: content_block_delta\ndata: {not json\n\n',
    errorEvent: (status) => {
      const err = anthropicErrorForStatus(status ?? ANTHROPIC_STREAM_ERROR_STATUS, plan.model, undefined);
      return event('error', { error: { type: err.type, message: err.message } });
    },
  };
}
