// Decides the deterministic answer to a valid GenerateContentRequest (thought, text or function calls, finish
// reason, usage) and renders it as a GenerateContentResponse; gemini-stream.ts renders the same plan as chunks.
import type { GeminiRequest } from './gemini-request.ts';
import { randomId } from './ids.ts';
import { applyStopSequences, countTokens, findCalledTools, replyText, thinkingText, tokenize, toolArguments } from './reply.ts';

/** A planned function call; `tokens` is what it counts toward candidatesTokenCount. */
export interface PlannedCall {
  name: string;
  args: unknown;
  tokens: number;
}

/** The complete answer, rendered later as one response or as stream chunks. */
export interface GeminiPlan {
  responseId: string;
  modelVersion: string;
  /** Thought summary pieces (empty when thoughts were not asked for). */
  thought: string[];
  /** Answer pieces (empty when answering with function calls). */
  pieces: string[];
  calls: PlannedCall[];
  finishReason: 'STOP' | 'MAX_TOKENS';
  promptTokens: number;
  includeThoughts: boolean;
}

/** Prompt tokens: countTokens summed over the system instruction and every content's text. */
export function geminiPromptTokens(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) total += countTokens(text);
  return total;
}

function chooseFunctions(request: GeminiRequest): string[] {
  const { functions, mode } = request;
  if (functions.length === 0 || mode === 'NONE') return [];
  const offered = mode === 'ANY' && request.allowed !== undefined && request.allowed.length > 0 ? request.allowed : functions.map((fn) => fn.name);
  const named = findCalledTools(request.lastUserText ?? '', offered);
  if (named.length > 0) return named;
  const first = offered[0];
  return mode === 'ANY' && first !== undefined ? [first] : [];
}

/**
 * Plans the answer. Thoughts (with includeThoughts) come first and count toward maxOutputTokens, as Gemini 2.5
 * counts them; function calls come when mode ANY forces one or the last user text says `call <name>`.
 */
export function planGemini(request: GeminiRequest, model: string): GeminiPlan {
  let budget = request.maxOutputTokens ?? Number.MAX_SAFE_INTEGER;
  let truncated = false;
  const thought = request.includeThoughts ? tokenize(thinkingText(request.lastUserText)) : [];
  if (thought.length > budget) {
    truncated = true;
    thought.length = budget;
  }
  budget -= thought.length;
  const base = { responseId: randomId('', 23), modelVersion: model, thought, promptTokens: geminiPromptTokens(request.promptTexts), includeThoughts: request.includeThoughts };
  const names = truncated ? [] : chooseFunctions(request);
  if (names.length > 0) {
    const calls = names.map((name) => {
      const json = toolArguments(request.functions.find((fn) => fn.name === name)?.parameters);
      return { name, args: JSON.parse(json) as unknown, tokens: countTokens(json) };
    });
    return { ...base, pieces: [], calls, finishReason: 'STOP' };
  }
  const pieces = truncated ? [] : tokenize(applyStopSequences(replyText(request.lastUserText), request.stopSequences).text);
  if (pieces.length > budget) {
    truncated = true;
    pieces.length = budget;
  }
  return { ...base, pieces, calls: [], finishReason: truncated ? 'MAX_TOKENS' : 'STOP' };
}

/** usageMetadata after `candidates` answer tokens and `thoughts` thought tokens (cumulative, as streams report it). */
export function usageMetadata(plan: GeminiPlan, candidates: number, thoughts: number): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    promptTokenCount: plan.promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: plan.promptTokens + candidates + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: plan.promptTokens }],
  };
  if (plan.includeThoughts) usage['thoughtsTokenCount'] = thoughts;
  return usage;
}

/** Total answer tokens of a plan (text pieces, or the tokens of the call arguments). */
export function candidateTokens(plan: GeminiPlan): number {
  return plan.calls.length > 0 ? plan.calls.reduce((sum, call) => sum + call.tokens, 0) : plan.pieces.length;
}

/** A GenerateContentResponse with the given parts; finishReason only on the last (or only) one. */
export function responseBody(plan: GeminiPlan, parts: unknown[], finish: boolean, usage: Record<string, unknown>): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' } };
  if (finish) candidate['finishReason'] = plan.finishReason;
  candidate['index'] = 0;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: plan.modelVersion, responseId: plan.responseId };
}

/** A plan as the complete GenerateContentResponse of generateContent. */
export function generateBody(plan: GeminiPlan): Record<string, unknown> {
  const parts: unknown[] = [];
  if (plan.thought.length > 0) parts.push({ text: plan.thought.join(''), thought: true });
  if (plan.calls.length > 0) for (const call of plan.calls) parts.push({ functionCall: { name: call.name, args: call.args } });
  else if (plan.pieces.length > 0 || parts.length === 0) parts.push({ text: plan.pieces.join('') });
  return responseBody(plan, parts, true, usageMetadata(plan, candidateTokens(plan), plan.thought.length));
}
