// POST /v1/messages and /v1/messages/count_tokens: auth → version → JSON → fault spec → validation → model
// check → faults → answer (a Message, its event stream, or the token count).
import { anthropicRateLimitHeaders, invalidRequest, isAnthropicError, modelNotFound } from './anthropic-errors.ts';
import type { AnthropicResponder } from './anthropic-http.ts';
import { anthropicFaultRenderer, anthropicResponder, checkAnthropicAccess } from './anthropic-http.ts';
import { anthropicInputTokens, messageBody, planAnthropic } from './anthropic-plan.ts';
import type { AnthropicRequest } from './anthropic-request.ts';
import { lastAnthropicUserText, parseAnthropicRequest } from './anthropic-request.ts';
import { anthropicStreamPlan } from './anthropic-stream.ts';
import type { MockContext, Route } from './context.ts';
import type { Faults } from './faults.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import { MISSING_MODEL } from './reply.ts';
import { playSse } from './sse.ts';

type Accepted = { api: AnthropicResponder; request: AnthropicRequest; faults: Faults };

// The common front half of both routes; undefined when an error went out instead.
function accept(ctx: MockContext, apiKey: string | undefined, countOnly: boolean): Accepted | undefined {
  const api = anthropicResponder(ctx);
  if (!checkAnthropicAccess(ctx, api, apiKey)) return undefined;
  if (ctx.body.kind !== 'json') {
    api.error(invalidRequest('The request body is not valid JSON.'));
    return undefined;
  }
  const body = ctx.body.value;
  const parsed = resolveFaults(ctx.req.headers[FAULT_HEADER], lastAnthropicUserText(body), requestCredential(ctx.req));
  if (!parsed.ok) {
    api.error(invalidRequest(`Invalid mock fault item '${parsed.item}': ${parsed.reason}.`));
    return undefined;
  }
  const request = parseAnthropicRequest(body, countOnly);
  if (isAnthropicError(request)) {
    api.error(request);
    return undefined;
  }
  if (request.model === MISSING_MODEL) {
    api.error(modelNotFound(request.model));
    return undefined;
  }
  return { api, request, faults: parsed.faults };
}

async function handleMessages(ctx: MockContext, apiKey: string | undefined): Promise<void> {
  const accepted = accept(ctx, apiKey, false);
  if (accepted === undefined) return;
  const { api, request, faults } = accepted;
  if (await applyPreResponseFaults(ctx, faults, request.stream, anthropicFaultRenderer(api, request.model))) return;
  const plan = planAnthropic(request);
  if (!request.stream) {
    api.json(messageBody(plan));
    return;
  }
  const headers = {
    ...api.headers(),
    ...anthropicRateLimitHeaders(false),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  };
  await playSse(ctx, headers, anthropicStreamPlan(plan), faults);
}

async function handleCountTokens(ctx: MockContext, apiKey: string | undefined): Promise<void> {
  const accepted = accept(ctx, apiKey, true);
  if (accepted === undefined) return;
  const { api, request, faults } = accepted;
  if (await applyPreResponseFaults(ctx, faults, false, anthropicFaultRenderer(api, request.model))) return;
  api.json({ input_tokens: anthropicInputTokens(request) });
}

/** The Messages routes; `apiKey` as in MockUpstreamOptions (sent as x-api-key or bearer). */
export function anthropicMessageRoutes(apiKey: string | undefined): Route[] {
  return [
    { method: 'POST', pattern: /^\/v1\/messages$/, handle: (ctx) => handleMessages(ctx, apiKey) },
    { method: 'POST', pattern: /^\/v1\/messages\/count_tokens$/, handle: (ctx) => handleCountTokens(ctx, apiKey) },
  ];
}
