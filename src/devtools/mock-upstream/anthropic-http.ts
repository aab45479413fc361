// Anthropic's response headers, error sending, auth and version checks: shared by every Anthropic route.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AnthropicError } from './anthropic-errors.ts';
import { anthropicError, anthropicErrorForStatus, anthropicRateLimitHeaders, invalidRequest } from './anthropic-errors.ts';
import type { MockContext } from './context.ts';
import type { FaultRenderer } from './faults.ts';
import { randomId } from './ids.ts';
import { sendJson } from './respond.ts';

/** Status of Anthropic's usual mid-stream failure: an `overloaded_error` event. */
export const ANTHROPIC_STREAM_ERROR_STATUS = 529;

/** Answers one Anthropic request: JSON bodies and errors with the API's headers and request id. */
export interface AnthropicResponder {
  /** The `request-id` header value (`req_011C…`), also echoed in error bodies. */
  readonly requestId: string;
  /** Headers Anthropic puts on every response. */
  headers(): OutgoingHttpHeaders;
  json(body: unknown): void;
  error(err: AnthropicError): void;
}

/** A responder for `ctx`, with a fresh Anthropic-style request id. */
export function anthropicResponder(ctx: MockContext): AnthropicResponder {
  const requestId = randomId('req_011C', 20);
  const headers = (): OutgoingHttpHeaders => ({ 'request-id': requestId, 'anthropic-organization-id': 'b1f7c2d4-0e5a-4c3b-9d8e-6f1a2b3c4d5e' });
  return {
    requestId,
    headers,
    json: (body) => sendJson(ctx.res, 200, body, { ...headers(), ...anthropicRateLimitHeaders(false) }),
    error: (err) =>
      sendJson(ctx.res, err.status, { type: 'error', error: { type: err.type, message: err.message }, request_id: requestId }, { ...headers(), ...err.headers }),
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the request carries an `anthropic-version` header (how a shared path such as /v1/models tells Anthropic clients apart). */
export function hasAnthropicVersion(ctx: MockContext): boolean {
  return ctx.req.headers['anthropic-version'] !== undefined;
}

/**
 * Checks the key and the `anthropic-version` header; sends the error and returns false when one fails. The key
 * is read from `x-api-key` (the documented header) or `Authorization: Bearer` (what @anthropic-ai/sdk 1.x sends).
 */
export function checkAnthropicAccess(ctx: MockContext, api: AnthropicResponder, apiKey: string | undefined): boolean {
  if (apiKey !== undefined) {
    const header = ctx.req.headers['x-api-key'];
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '')?.[1];
    const given = typeof header === 'string' ? header : bearer;
    if (given === undefined) {
      api.error(anthropicError(401, 'authentication_error', 'x-api-key header is required'));
      return false;
    }
    if (!timingSafeEqual(digest(given), digest(apiKey))) {
      api.error(anthropicError(401, 'authentication_error', 'invalid x-api-key'));
      return false;
    }
  }
  const version = ctx.req.headers['anthropic-version'];
  if (version === undefined) {
    api.error(invalidRequest('anthropic-version: header is required'));
    return false;
  }
  if (typeof version !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(version)) {
    api.error(invalidRequest(`anthropic-version: invalid version ${JSON.stringify(version)}; expected a date such as 2023-06-01`));
    return false;
  }
  return true;
}

/** Renders injected faults as Anthropic would answer them for `model`. */
export function anthropicFaultRenderer(api: AnthropicResponder, model: string): FaultRenderer {
  return {
    sendStatus: (_ctx, status, retryAfter) => api.error(anthropicErrorForStatus(status, model, retryAfter)),
    hangHeaders: () => ({ ...api.headers(), ...anthropicRateLimitHeaders(false), 'content-type': 'application/json' }),
    streamErrorStatus: ANTHROPIC_STREAM_ERROR_STATUS,
  };
}
