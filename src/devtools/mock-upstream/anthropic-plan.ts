// Decides the deterministic answer to a valid Messages request (thinking, text or tool_use blocks, stop reason,
// usage) and renders it as the non-stream `Message` object; anthropic-stream.ts renders the same plan as events.
import type { AnthropicRequest } from './anthropic-request.ts';
import { randomId } from './ids.ts';
import { applyStopSequences, countTokens, findCalledTools, replyText, thinkingText, tokenize, toolArguments } from './reply.ts';

/** The fixed signature every thinking block carries (real ones are opaque base64 the API verifies on replay). */
export const THINKING_SIGNATURE = 'EqQBCkgIBhABGAIiQG1vY2stdXBzdHJlYW0gdGhpbmtpbmcgc2lnbmF0dXJlIC0gbm90IHZlcmlmaWVkIGJ5IGFueW9uZQ==';

/** One planned content block; `pieces` are its streamed fragments. */
export type PlannedBlock =
  | { type: 'thinking'; pieces: string[] }
  | { type: 'text'; pieces: string[] }
  | { type: 'tool_use'; id: string; name: string; input: unknown; pieces: string[] };

/** Why the answer stopped, as Anthropic reports it. */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

/** The complete answer, rendered later as a Message or as stream events. */
export interface AnthropicPlan {
  id: string;
  model: string;
  blocks: PlannedBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** Input tokens of a request: countTokens summed over the system prompt and every message's text. */
export function anthropicInputTokens(request: Pick<AnthropicRequest, 'promptTexts'>): number {
  let total = 0;
  for (const text of request.promptTexts) total += countTokens(text);
  return total;
}

function chooseTools(request: AnthropicRequest): string[] {
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice === 'none') return [];
  if (typeof toolChoice === 'object') return [toolChoice.name];
  const named = findCalledTools(request.lastUserText ?? '', tools.map((tool) => tool.name));
  const first = tools[0];
  const picked = named.length > 0 ? named : toolChoice === 'any' && first ? [first.name] : [];
  return request.parallelToolUse ? picked : picked.slice(0, 1);
}

/**
 * Plans the answer. Thinking (when enabled) comes first and counts toward max_tokens, as it does for Claude;
 * tool_use blocks come when tool_choice forces them or the last user text says `call <tool>`; otherwise the
 * echo reply, cut at the first stop sequence and at max_tokens.
 */
export function planAnthropic(request: AnthropicRequest): AnthropicPlan {
  const maxTokens = request.maxTokens ?? Number.MAX_SAFE_INTEGER;
  const blocks: PlannedBlock[] = [];
  let budget = maxTokens;
  let truncated = false;
  if (request.thinking !== undefined) {
    const limit = Math.min(budget, request.thinking.budget ?? budget);
    const pieces = tokenize(thinkingText(request.lastUserText));
    truncated = pieces.length > budget;
    blocks.push({ type: 'thinking', pieces: pieces.slice(0, limit) });
    budget -= Math.min(pieces.length, limit);
  }
  let stopReason: StopReason = 'end_turn';
  let stopSequence: string | null = null;
  const toolNames = truncated ? [] : chooseTools(request);
  if (toolNames.length > 0) {
    for (const name of toolNames) {
      const json = toolArguments(request.tools.find((tool) => tool.name === name)?.inputSchema);
      blocks.push({ type: 'tool_use', id: randomId('toolu_01', 22), name, input: JSON.parse(json) as unknown, pieces: tokenize(json) });
    }
    stopReason = 'tool_use';
  } else if (truncated) {
    stopReason = 'max_tokens';
  } else {
    const stopped = applyStopSequences(replyText(request.lastUserText), request.stopSequences);
    const pieces = tokenize(stopped.text);
    if (pieces.length > budget) {
      stopReason = 'max_tokens';
      pieces.length = budget;
    } else if (stopped.stop !== null) {
      stopReason = 'stop_sequence';
      stopSequence = stopped.stop;
    }
    // Thinking that used up max_tokens leaves no room for text, and Claude then sends no text block at all.
    if (pieces.length > 0 || blocks.length === 0) blocks.push({ type: 'text', pieces });
  }
  const outputTokens = blocks.reduce((sum, block) => sum + block.pieces.length, 0);
  return { id: randomId('msg_01', 22), model: request.model, blocks, stopReason, stopSequence, inputTokens: anthropicInputTokens(request), outputTokens };
}

/** Anthropic's Usage object for a plan (the mock never caches, so the cache counters are zero). */
export function anthropicUsage(inputTokens: number, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** A block as it appears in a complete Message. */
export function blockBody(block: PlannedBlock): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: block.pieces.join(''), signature: THINKING_SIGNATURE };
    case 'text':
      return { type: 'text', text: block.pieces.join('') };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
  }
}

/** A plan as the `Message` object of a non-stream response. */
export function messageBody(plan: AnthropicPlan): Record<string, unknown> {
  return {
    id: plan.id,
    type: 'message',
    role: 'assistant',
    model: plan.model,
    content: plan.blocks.map(blockBody),
    stop_reason: plan.stopReason,
    stop_sequence: plan.stopSequence,
    usage: anthropicUsage(plan.inputTokens, plan.outputTokens),
  };
}
