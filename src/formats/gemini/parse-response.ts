/**
 * An upstream `GenerateContentResponse` → CanonicalResponse.
 * Wire shape: ai.google.dev/api/generate-content#generatecontentresponse. Only `candidates[0]` is read: requests
 * never ask for more than one candidate.
 */
import type { CanonicalResponse, ContentPart, FinishReason, JsonObject, JsonValue, TextPart, ThinkingPart, ToolCallPart } from '../canonical/types.ts';
import { parseFinishReason, parseUsage } from './mappings.ts';
import { parseModelPart, type PartReader } from './parse-parts.ts';
import { expectArray, expectRecord, expectString, fail, isAbsent, isRecord, typeName } from './wire-checks.ts';

/** The envelope fields every response and stream chunk carries. */
export interface ResponseHead {
  id: string;
  model: string;
  created: number;
}

/**
 * responseId and modelVersion name the answer. The Developer API has no creation time (Vertex AI sends `createTime`,
 * RFC 3339); without one `created` is 0, and formats are pure, so no clock is read here.
 */
export function readHead(body: Record<string, unknown>): ResponseHead {
  const id = isAbsent(body.responseId) ? '' : expectString(body.responseId, 'responseId');
  const model = isAbsent(body.modelVersion) ? '' : expectString(body.modelVersion, 'modelVersion');
  const time = typeof body.createTime === 'string' ? Date.parse(body.createTime) : Number.NaN;
  return { id, model, created: Number.isFinite(time) ? Math.floor(time / 1000) : 0 };
}

/** A reader for upstream parts: tolerant, ids synthesised as `call_<n>` in order of appearance when Gemini gave none. */
export function upstreamReader(): PartReader {
  let index = 0;
  return {
    strict: false,
    callId(given) {
      const id = given ?? `call_${index}`;
      index++;
      return id;
    },
  };
}

/** The parts of a candidate's `content` (absent when a filter stopped it). */
export function candidateParts(candidate: Record<string, unknown>, param: string, reader: PartReader): ContentPart[] {
  const out: ContentPart[] = [];
  if (isAbsent(candidate.content)) return out;
  const content = expectRecord(candidate.content, `${param}.content`);
  if (isAbsent(content.parts)) return out;
  const parts = expectArray(content.parts, `${param}.content.parts`);
  for (let j = 0; j < parts.length; j++) parseModelPart(parts[j], `${param}.content.parts[${j}]`, reader, out);
  return out;
}

/** `promptFeedback.blockReason`: set when the prompt itself was blocked and no candidate was generated. */
export function blockReason(body: Record<string, unknown>): string | undefined {
  const feedback = body.promptFeedback;
  return isRecord(feedback) && typeof feedback.blockReason === 'string' ? feedback.blockReason : undefined;
}

/** Candidate metadata only a Gemini client can use, carried in `extensions.gemini` for it. */
const CANDIDATE_EXTRAS = ['groundingMetadata', 'citationMetadata', 'urlContextMetadata'] as const;

/** Parse an upstream non-streaming response; throws FormatError on a malformed body. */
export function parseGenerateContentResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) fail(`Expected a GenerateContentResponse object, got ${typeName(body)}`, null);
  if (!isAbsent(body.error)) fail('Upstream response is an error', 'error');
  const head = readHead(body);
  const candidates = isAbsent(body.candidates) ? [] : expectArray(body.candidates, 'candidates');
  const extensions: JsonObject = {};
  // A blocked prompt's feedback says why; a Gemini client reads it there.
  if (blockReason(body) !== undefined) extensions.promptFeedback = body.promptFeedback as JsonObject;

  let content: (TextPart | ToolCallPart | ThinkingPart)[] = [];
  let finishReason: FinishReason;
  const first = candidates[0];
  if (first === undefined) {
    if (blockReason(body) === undefined) fail('The upstream response has no candidates', 'candidates');
    finishReason = 'content_filter';
  } else {
    const candidate = expectRecord(first, 'candidates[0]');
    content = candidateParts(candidate, 'candidates[0]', upstreamReader()).filter(
      (part): part is TextPart | ToolCallPart | ThinkingPart => part.type === 'text' || part.type === 'tool_call' || part.type === 'thinking',
    );
    const hasToolCalls = content.some((part) => part.type === 'tool_call');
    const finish = candidate.finishReason;
    finishReason = isAbsent(finish)
      ? hasToolCalls
        ? 'tool_calls'
        : 'stop'
      : parseFinishReason(expectString(finish, 'candidates[0].finishReason'), hasToolCalls);
    for (const key of CANDIDATE_EXTRAS) if (isRecord(candidate[key])) extensions[key] = candidate[key] as JsonValue;
  }

  const response: CanonicalResponse = { ...head, content, finishReason };
  if (!isAbsent(body.usageMetadata)) response.usage = parseUsage(body.usageMetadata, 'usageMetadata');
  if (Object.keys(extensions).length > 0) response.extensions = { gemini: extensions };
  return response;
}
