// A ChatPlan as the `chat.completion.chunk` events OpenAI streams (see openai-node's ChatCompletionChunk type).
import type { ChatPlan } from './openai-chat-plan.ts';
import { SYSTEM_FINGERPRINT } from './openai-chat-plan.ts';
import { errorForStatus } from './openai-errors.ts';
import type { SsePlan } from './sse.ts';
import { contentAfterFirst, encodeSse } from './sse.ts';

/** Stream options of the request that change the chunks. */
export interface ChunkOptions {
  includeUsage: boolean;
  includeObfuscation: boolean;
}

// OpenAI pads each chunk with random characters (a side-channel mitigation); fixed slices keep the fake
// deterministic while still exercising clients and proxies that must tolerate the field.
const PAD = 'q7Xk2LmZ9wRt4VbN8cYs';

/** Status of OpenAI's usual mid-stream failure: a `server_error` object in place of a chunk. */
export const OPENAI_STREAM_ERROR_STATUS = 500;

/** The SSE events of a streamed answer: role chunk, content or tool-call chunks, finish, usage, `[DONE]`. */
export function chatStreamPlan(plan: ChatPlan, options: ChunkOptions): SsePlan {
  let sequence = 0;
  const chunk = (choices: unknown[], usage?: unknown): string => {
    const body: Record<string, unknown> = {
      id: plan.id,
      object: 'chat.completion.chunk',
      created: plan.created,
      model: plan.model,
      service_tier: plan.serviceTier,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    if (options.includeUsage) body['usage'] = usage ?? null;
    if (options.includeObfuscation) body['obfuscation'] = PAD.slice(0, 1 + ((sequence * 7) % PAD.length));
    sequence++;
    return encodeSse(JSON.stringify(body));
  };
  const choice = (delta: Record<string, unknown>, finishReason: string | null = null): unknown[] => [
    { index: 0, delta, logprobs: null, finish_reason: finishReason },
  ];

  const events: string[] = [];
  if (plan.toolCalls.length === 0) {
    events.push(chunk(choice({ role: 'assistant', content: '', refusal: null })));
    for (const piece of plan.pieces) events.push(chunk(choice({ content: piece })));
  } else {
    plan.toolCalls.forEach((call, index) => {
      const opening = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      // Like OpenAI, the first tool call opens in the role chunk; later ones open in a chunk of their own.
      const delta = index === 0 ? { role: 'assistant', content: null, tool_calls: [opening], refusal: null } : { tool_calls: [opening] };
      events.push(chunk(choice(delta)));
      for (const piece of call.pieces) events.push(chunk(choice({ tool_calls: [{ index, function: { arguments: piece } }] })));
    });
  }
  const tailStart = events.length;
  events.push(chunk(choice({}, plan.finishReason)));
  if (options.includeUsage) events.push(chunk([], plan.usage));
  events.push(encodeSse('[DONE]'));
  return {
    events,
    contentAt: contentAfterFirst(tailStart),
    // openai-node throws an APIError for any data payload carrying `error`, and OpenAI sends no [DONE] after it.
    errorEvent: (status) => encodeSse(JSON.stringify({ error: errorForStatus(status ?? OPENAI_STREAM_ERROR_STATUS, plan.model, undefined).error })),
  };
}
