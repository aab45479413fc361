// models/{model}:generateContent, :streamGenerateContent and :countTokens.
import type { MockContext } from './context.ts';
import { applyPreResponseFaults } from './faults.ts';
import type { GoogleError } from './gemini-errors.ts';
import { invalidArgument, isGoogleError } from './gemini-errors.ts';
import type { GeminiCall } from './gemini-http.ts';
import { GOOGLE_JSON, acceptGemini, geminiFaultRenderer, geminiHeaders, sendGeminiJson, sendGoogleError } from './gemini-http.ts';
import { generateBody, geminiPromptTokens, planGemini } from './gemini-plan.ts';
import { lastGeminiUserText, parseContents, parseGeminiRequest } from './gemini-request.ts';
import { geminiArrayPlan, geminiSsePlan } from './gemini-stream.ts';
import { isRecord, queryParam } from './json.ts';
import { playSse } from './sse.ts';

/** Handles generateContent (`stream` false) or streamGenerateContent (SSE with `?alt=sse`, else a JSON array). */
export async function handleGenerate(ctx: MockContext, apiKey: string | undefined, call: GeminiCall, stream: boolean): Promise<void> {
  const accepted = acceptGemini(ctx, apiKey, call, lastGeminiUserText);
  if (accepted === undefined) return;
  const request = parseGeminiRequest(accepted.body);
  if (isGoogleError(request)) {
    sendGoogleError(ctx, request);
    return;
  }
  const { faults } = accepted;
  if (await applyPreResponseFaults(ctx, faults, stream, geminiFaultRenderer(call.model))) return;
  const plan = planGemini(request, call.model);
  if (!stream) {
    sendGeminiJson(ctx, generateBody(plan));
    return;
  }
  const sse = queryParam(ctx.req.url, 'alt') === 'sse';
  const headers = { ...geminiHeaders(ctx), 'content-type': sse ? 'text/event-stream' : GOOGLE_JSON };
  await playSse(ctx, headers, sse ? geminiSsePlan(plan) : geminiArrayPlan(plan), faults);
}

// countTokens takes either bare `contents` or a whole `generateContentRequest` (whose system instruction counts).
function countedTexts(body: unknown): string[] | GoogleError {
  if (!isRecord(body)) return invalidArgument('* CountTokensRequest.contents: contents is not specified\n');
  const full = body['generateContentRequest'];
  if (isRecord(full)) {
    const request = parseGeminiRequest(full);
    return isGoogleError(request) ? request : request.promptTexts;
  }
  const contents = parseContents(body['contents'], 'CountTokensRequest');
  return isGoogleError(contents) ? contents : contents.texts;
}

/** Handles countTokens: `{totalTokens, promptTokensDetails}`, equal to generateContent's promptTokenCount. */
export async function handleCountTokens(ctx: MockContext, apiKey: string | undefined, call: GeminiCall): Promise<void> {
  const directives = (body: unknown): string | undefined =>
    lastGeminiUserText(isRecord(body) && isRecord(body['generateContentRequest']) ? body['generateContentRequest'] : body);
  const accepted = acceptGemini(ctx, apiKey, call, directives);
  if (accepted === undefined) return;
  const texts = countedTexts(accepted.body);
  if (isGoogleError(texts)) {
    sendGoogleError(ctx, texts);
    return;
  }
  if (await applyPreResponseFaults(ctx, accepted.faults, false, geminiFaultRenderer(call.model))) return;
  const total = geminiPromptTokens(texts);
  sendGeminiJson(ctx, { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] });
}
