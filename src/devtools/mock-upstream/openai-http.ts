// OpenAI's response headers, error sending, bearer auth and fallbacks: shared by every OpenAI route.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { MockContext } from './context.ts';
import type { FaultRenderer } from './faults.ts';
import type { OpenAIError } from './openai-errors.ts';
import { OPENAI_STREAM_ERROR_STATUS } from './openai-chat-stream.ts';
import { errorForStatus, invalidApiKey, invalidMethod, invalidUrl, missingApiKey, rateLimitHeaders } from './openai-errors.ts';
import { sendJson } from './respond.ts';
import type { FallbackRenderer } from './server.ts';

/** Headers OpenAI puts on every response: request id and processing time (measured up to the headers). */
export function openaiHeaders(ctx: MockContext): OutgoingHttpHeaders {
  return {
    'x-request-id': ctx.requestId,
    'openai-processing-ms': String(Math.round(performance.now() - ctx.startedAt)),
    'openai-version': '2020-10-01',
    'openai-organization': 'mock-upstream',
  };
}

/** Sends an OpenAI-shaped error with OpenAI's headers. */
export function sendOpenAIError(ctx: MockContext, err: OpenAIError): void {
  sendJson(ctx.res, err.status, { error: err.error }, { ...openaiHeaders(ctx), ...err.headers });
}

/** Sends a successful OpenAI JSON body with OpenAI's headers. */
export function sendOpenAIJson(ctx: MockContext, body: unknown, extra: OutgoingHttpHeaders = {}): void {
  sendJson(ctx.res, 200, body, { ...openaiHeaders(ctx), ...extra });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Checks `Authorization: Bearer <apiKey>` (constant time); sends the 401 and returns false when it fails. */
export function checkBearer(ctx: MockContext, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  const header = ctx.req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1];
  if (given === undefined) {
    sendOpenAIError(ctx, missingApiKey());
    return false;
  }
  if (!timingSafeEqual(digest(given), digest(apiKey))) {
    sendOpenAIError(ctx, invalidApiKey(given));
    return false;
  }
  return true;
}

/** 404/405 in OpenAI's shape for paths and methods no route serves. */
export const openaiFallback: FallbackRenderer = {
  notFound: (ctx) => sendOpenAIError(ctx, invalidUrl(ctx.method, ctx.path)),
  methodNotAllowed: (ctx, allowed) => {
    const err = invalidMethod(ctx.method, ctx.path);
    err.headers = { allow: allowed.join(', ') };
    sendOpenAIError(ctx, err);
  },
};

/** Renders injected faults as OpenAI would answer them for `model`. */
export function openaiFaultRenderer(model: string): FaultRenderer {
  return {
    sendStatus: (ctx, status, retryAfter) => sendOpenAIError(ctx, errorForStatus(status, model, retryAfter)),
    hangHeaders: (ctx) => ({ ...openaiHeaders(ctx), ...rateLimitHeaders(false), 'content-type': 'application/json' }),
    streamErrorStatus: OPENAI_STREAM_ERROR_STATUS,
  };
}
