// POST /v1/chat/completions: auth → JSON → fault spec → validation → model check → faults → answer.
import type { MockContext, Route } from './context.ts';
import { FAULT_HEADER, requestCredential, applyPreResponseFaults, resolveFaults } from './faults.ts';
import type { ChatPlan } from './openai-chat-plan.ts';
import { SYSTEM_FINGERPRINT, planChat } from './openai-chat-plan.ts';
import { lastUserMessageText, parseChatRequest } from './openai-chat-request.ts';
import { chatStreamPlan } from './openai-chat-stream.ts';
import { invalidFaultSpec, modelNotFound, rateLimitHeaders, unparsableBody } from './openai-errors.ts';
import { checkBearer, openaiFaultRenderer, openaiHeaders, sendOpenAIError, sendOpenAIJson } from './openai-http.ts';
import { MISSING_MODEL } from './reply.ts';
import { playSse } from './sse.ts';

/** A ChatPlan as the `chat.completion` object of a non-stream response. */
export function chatCompletionBody(plan: ChatPlan): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.content };
  if (plan.toolCalls.length > 0) {
    message['tool_calls'] = plan.toolCalls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  message['refusal'] = null;
  message['annotations'] = [];
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
    usage: plan.usage,
    service_tier: plan.serviceTier,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

async function handleChat(ctx: MockContext, apiKey: string | undefined): Promise<void> {
  if (!checkBearer(ctx, apiKey)) return;
  if (ctx.body.kind !== 'json') {
    sendOpenAIError(ctx, unparsableBody());
    return;
  }
  const body = ctx.body.value;
  const faults = resolveFaults(ctx.req.headers[FAULT_HEADER], lastUserMessageText(body), requestCredential(ctx.req));
  if (!faults.ok) {
    sendOpenAIError(ctx, invalidFaultSpec(faults.item, faults.reason));
    return;
  }
  const request = parseChatRequest(body);
  if ('error' in request) {
    sendOpenAIError(ctx, request);
    return;
  }
  if (request.model === MISSING_MODEL) {
    sendOpenAIError(ctx, modelNotFound(request.model));
    return;
  }
  if (await applyPreResponseFaults(ctx, faults.faults, request.stream, openaiFaultRenderer(request.model))) return;

  const plan = planChat(request);
  if (!request.stream) {
    sendOpenAIJson(ctx, chatCompletionBody(plan), rateLimitHeaders(false));
    return;
  }
  const headers = { ...openaiHeaders(ctx), ...rateLimitHeaders(false), 'content-type': 'text/event-stream; charset=utf-8' };
  await playSse(ctx, headers, chatStreamPlan(plan, request), faults.faults);
}

/** The Chat Completions route; `apiKey` as in MockUpstreamOptions. */
export function openaiChatRoute(apiKey: string | undefined): Route {
  return { method: 'POST', pattern: /^\/v1\/chat\/completions$/, handle: (ctx) => handleChat(ctx, apiKey) };
}
