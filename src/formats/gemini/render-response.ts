/**
 * CanonicalResponse → the `GenerateContentResponse` a Gemini client (@google/genai, Gemini CLI) expects.
 * Wire shape: ai.google.dev/api/generate-content#generatecontentresponse.
 */
import type { CanonicalResponse, FinishReason } from '../canonical/types.ts';
import { renderFinishReason, renderUsage, type GeminiFinishReason } from './mappings.ts';
import { renderModelParts } from './render-parts.ts';
import { isRecord } from './wire-checks.ts';

/**
 * The finish reason to report. A tool call whose arguments are not a JSON object (an upstream cut it short, or a
 * model wrote invalid JSON) cannot be a functionCall; it is left out and the candidate reports what Gemini itself
 * reports for that case, MALFORMED_FUNCTION_CALL — unless the answer was cut by the token limit, which says more.
 */
export function finishReasonFor(reason: FinishReason, malformedCall: boolean): GeminiFinishReason {
  if (malformedCall && (reason === 'stop' || reason === 'tool_calls')) return 'MALFORMED_FUNCTION_CALL';
  return renderFinishReason(reason);
}

/** Render a complete (non-streaming) answer. */
export function renderGenerateContentResponse(response: CanonicalResponse): Record<string, unknown> {
  const extensions = response.extensions?.gemini;
  const { parts, malformed } = renderModelParts(response.content, 'skip');
  const body: Record<string, unknown> = {};
  const feedback = extensions?.promptFeedback;
  if (isRecord(feedback) && parts.length === 0) {
    // A blocked prompt: Gemini answers with promptFeedback and no candidate at all.
    body.promptFeedback = feedback;
  } else {
    const candidate: Record<string, unknown> = {
      content: { parts, role: 'model' },
      finishReason: finishReasonFor(response.finishReason, malformed),
      index: 0,
    };
    for (const key of ['groundingMetadata', 'citationMetadata', 'urlContextMetadata']) {
      if (extensions?.[key] !== undefined) candidate[key] = extensions[key];
    }
    body.candidates = [candidate];
  }
  if (response.usage !== undefined) body.usageMetadata = renderUsage(response.usage);
  body.modelVersion = response.model;
  body.responseId = response.id;
  return body;
}
