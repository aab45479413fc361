// Gemini's response headers, error sending, API-key check and request front half: shared by every Gemini route.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { MockContext } from './context.ts';
import type { FaultRenderer, Faults } from './faults.ts';
import { FAULT_HEADER, requestCredential, resolveFaults } from './faults.ts';
import type { GoogleError } from './gemini-errors.ts';
import { apiKeyNotValid, geminiErrorForStatus, geminiModelNotFound, invalidFaultSpec, invalidJson, unregisteredCaller } from './gemini-errors.ts';
import { queryParam } from './json.ts';
import { MISSING_MODEL } from './reply.ts';
import { sendJson } from './respond.ts';

/** Status of Gemini's usual mid-stream failure: a 503 UNAVAILABLE error object in the stream. */
export const GEMINI_STREAM_ERROR_STATUS = 503;

/** Content type of Gemini's JSON bodies (and of a streamed JSON array). */
export const GOOGLE_JSON = 'application/json; charset=UTF-8';

/** Headers Google's front end puts on every response (server-timing measured up to the headers). */
export function geminiHeaders(ctx: MockContext): OutgoingHttpHeaders {
  return {
    vary: 'Origin, X-Origin, Referer',
    'server-timing': `gfet4t7; dur=${Math.round(performance.now() - ctx.startedAt)}`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'x-xss-protection': '0',
  };
}

/** Sends a successful Gemini JSON body. */
export function sendGeminiJson(ctx: MockContext, body: unknown): void {
  sendJson(ctx.res, 200, body, { ...geminiHeaders(ctx), 'content-type': GOOGLE_JSON });
}

/** Sends a Google-shaped error. */
export function sendGoogleError(ctx: MockContext, error: GoogleError): void {
  sendJson(ctx.res, error.code, { error }, { ...geminiHeaders(ctx), 'content-type': GOOGLE_JSON });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the request looks like a Google client (key header or query, or the SDK's x-goog-api-client). */
export function isGoogleClient(ctx: MockContext): boolean {
  const { headers } = ctx.req;
  return headers['x-goog-api-key'] !== undefined || headers['x-goog-api-client'] !== undefined || queryParam(ctx.req.url, 'key') !== undefined;
}

/** Checks `x-goog-api-key` or `?key=` (constant time); sends Google's error and returns false when it fails. */
export function checkGoogleKey(ctx: MockContext, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  const header = ctx.req.headers['x-goog-api-key'];
  const given = typeof header === 'string' ? header : queryParam(ctx.req.url, 'key');
  if (given === undefined) {
    sendGoogleError(ctx, unregisteredCaller());
    return false;
  }
  if (!timingSafeEqual(digest(given), digest(apiKey))) {
    sendGoogleError(ctx, apiKeyNotValid());
    return false;
  }
  return true;
}

/** Renders injected faults as Gemini would answer them for `model`. */
export function geminiFaultRenderer(model: string): FaultRenderer {
  return {
    sendStatus: (ctx, status, retryAfter) => sendGoogleError(ctx, geminiErrorForStatus(status, model, retryAfter)),
    hangHeaders: (ctx) => ({ ...geminiHeaders(ctx), 'content-type': GOOGLE_JSON }),
    streamErrorStatus: GEMINI_STREAM_ERROR_STATUS,
  };
}

/** Where a model method was called: model id (without `models/`), API version and method name. */
export interface GeminiCall {
  model: string;
  version: string;
  method: string;
}

/**
 * The common front of every model method: key → JSON body → fault spec (header, then directives in
 * `directiveText(body)`) → model check. Returns the body and faults, or undefined when an error went out.
 */
export function acceptGemini(
  ctx: MockContext,
  apiKey: string | undefined,
  call: GeminiCall,
  directiveText: (body: unknown) => string | undefined,
): { body: unknown; faults: Faults } | undefined {
  if (!checkGoogleKey(ctx, apiKey)) return undefined;
  if (ctx.body.kind !== 'json') {
    sendGoogleError(ctx, invalidJson());
    return undefined;
  }
  const body = ctx.body.value;
  const parsed = resolveFaults(ctx.req.headers[FAULT_HEADER], directiveText(body), requestCredential(ctx.req));
  if (!parsed.ok) {
    sendGoogleError(ctx, invalidFaultSpec(parsed.item, parsed.reason));
    return undefined;
  }
  if (call.model === MISSING_MODEL) {
    sendGoogleError(ctx, geminiModelNotFound(call.model, call.version, call.method));
    return undefined;
  }
  return { body, faults: parsed.faults };
}
