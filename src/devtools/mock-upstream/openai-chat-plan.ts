// Decides the deterministic answer to a valid Chat Completions request: text or tool calls, finish reason, usage.
// Rendering (JSON or stream chunks) is separate so both forms carry exactly the same answer.
import type { ChatRequest } from './openai-chat-request.ts';
import { randomId } from './ids.ts';
import { countTokens, findCalledTools, limitTokens, replyText, tokenize, toolArguments } from './reply.ts';

/** The fixed system_fingerprint the fake reports (real ones are `fp_` + 10 hex digits). */
export const SYSTEM_FINGERPRINT = 'fp_7e1d8c0a5b';

/** OpenAI's CompletionUsage with every detail field the live API sends. */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** One planned tool call; `pieces` are its argument fragments for streaming. */
export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
  pieces: string[];
}

/** The complete answer, rendered later as a chat.completion or as chunks. */
export interface ChatPlan {
  id: string;
  created: number;
  model: string;
  serviceTier: string;
  /** Reply text, or null when answering with tool calls. */
  content: string | null;
  /** Token pieces of `content` (empty for tool calls). */
  pieces: string[];
  toolCalls: PlannedToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: CompletionUsage;
}

/** Builds a usage object from the two counts. */
export function completionUsage(promptTokens: number, completionTokens: number): CompletionUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Prompt tokens of a request: countTokens summed over the text of every message. */
export function promptTokens(messageTexts: readonly string[]): number {
  let total = 0;
  for (const text of messageTexts) total += countTokens(text);
  return total;
}

function chooseTools(request: ChatRequest): string[] {
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice === 'none') return [];
  if (typeof toolChoice === 'object') return [toolChoice.name];
  const named = findCalledTools(request.lastUserText ?? '', tools.map((tool) => tool.name));
  const first = tools[0];
  const picked = named.length > 0 ? named : toolChoice === 'required' && first ? [first.name] : [];
  return request.parallelToolCalls ? picked : picked.slice(0, 1);
}

/**
 * Plans the answer. Tool calls happen when tool_choice forces one (a named function or 'required') or the last
 * user message says `call <tool>`; their completion tokens are the tokens of the arguments strings.
 */
export function planChat(request: ChatRequest): ChatPlan {
  const base = {
    id: randomId('chatcmpl-', 29),
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    serviceTier: request.serviceTier,
  };
  const prompt = promptTokens(request.messageTexts);
  const toolNames = chooseTools(request);
  if (toolNames.length > 0) {
    const toolCalls = toolNames.map((name) => {
      const args = toolArguments(request.tools.find((tool) => tool.name === name)?.parameters);
      return { id: randomId('call_', 24), name, arguments: args, pieces: tokenize(args) };
    });
    const completion = toolCalls.reduce((sum, call) => sum + call.pieces.length, 0);
    return { ...base, content: null, pieces: [], toolCalls, finishReason: 'tool_calls', usage: completionUsage(prompt, completion) };
  }
  const { pieces, truncated } = limitTokens(replyText(request.lastUserText), request.maxTokens);
  return {
    ...base,
    content: pieces.join(''),
    pieces,
    toolCalls: [],
    finishReason: truncated ? 'length' : 'stop',
    usage: completionUsage(prompt, pieces.length),
  };
}
