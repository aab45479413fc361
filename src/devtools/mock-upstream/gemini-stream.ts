// A GeminiPlan as streamGenerateContent's chunks: each a GenerateContentResponse carrying one part delta and the
// cumulative usageMetadata, then a final chunk with the finishReason. Two framings, as the real endpoint has:
// `?alt=sse` gives `data: <json>` events ended by CRLF CRLF (Google's line ending); without it the chunks are
// the elements of one JSON array, written as they are produced.
import { geminiErrorForStatus } from './gemini-errors.ts';
import { GEMINI_STREAM_ERROR_STATUS } from './gemini-http.ts';
import type { GeminiPlan } from './gemini-plan.ts';
import { candidateTokens, responseBody, usageMetadata } from './gemini-plan.ts';
import type { SsePlan } from './sse.ts';

/** The bad event `malformed` injects into a Gemini SSE stream. */
export const GEMINI_MALFORMED_EVENT = 'data: {not json\r\n\r\n';

/** The chunk objects of a streamed answer, content chunks first and the finish chunk last. */
export function geminiChunks(plan: GeminiPlan): Record<string, unknown>[] {
  const chunks: Record<string, unknown>[] = [];
  let thoughts = 0;
  let candidates = 0;
  for (const text of plan.thought) {
    thoughts++;
    chunks.push(responseBody(plan, [{ text, thought: true }], false, usageMetadata(plan, candidates, thoughts)));
  }
  for (const call of plan.calls) {
    candidates += call.tokens;
    chunks.push(responseBody(plan, [{ functionCall: { name: call.name, args: call.args } }], false, usageMetadata(plan, candidates, thoughts)));
  }
  for (const text of plan.pieces) {
    candidates++;
    chunks.push(responseBody(plan, [{ text }], false, usageMetadata(plan, candidates, thoughts)));
  }
  chunks.push(responseBody(plan, [{ text: '' }], true, usageMetadata(plan, candidateTokens(plan), thoughts)));
  return chunks;
}

function errorObject(plan: GeminiPlan, status: number | undefined): { error: unknown } {
  return { error: geminiErrorForStatus(status ?? GEMINI_STREAM_ERROR_STATUS, plan.modelVersion, undefined) };
}

/** The stream as SSE events (`alt=sse`); the error event is a `{error}` object, as Google sends mid-stream. */
export function geminiSsePlan(plan: GeminiPlan): SsePlan {
  const chunks = geminiChunks(plan);
  const events = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`);
  return {
    events,
    // No opening event: the first chunk is already content, and the finish chunk is the tail.
    contentAt: Array.from({ length: chunks.length }, (_, i) => i - 1),
    malformed: GEMINI_MALFORMED_EVENT,
    errorEvent: (status) => `data: ${JSON.stringify(errorObject(plan, status))}\r\n\r\n`,
  };
}

/** The stream as one JSON array whose pretty-printed elements are written one by one; `]` closes it. */
export function geminiArrayPlan(plan: GeminiPlan): SsePlan {
  const chunks = geminiChunks(plan);
  const events = chunks.map((chunk, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(chunk, null, 2)}`);
  events.push('\n]');
  return {
    events,
    contentAt: Array.from({ length: chunks.length }, (_, i) => i - 1),
    // Breaks the array mid-element, as a corrupted chunk would.
    malformed: ',\r\n{not json',
    // The error becomes the array's last element, so the body stays one valid JSON document.
    errorEvent: (status, at) => `${at === -1 ? '[' : ',\r\n'}${JSON.stringify(errorObject(plan, status), null, 2)}\n]`,
  };
}
