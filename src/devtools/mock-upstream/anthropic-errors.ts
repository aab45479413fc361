// Anthropic's error envelope `{type:'error', error:{type, message}, request_id}` and the errors the real API
// sends per status (Anthropic API reference, "Errors"; rate-limit headers from "Rate limits").

/** An Anthropic error to send: status, error type and message (plus headers such as retry-after). */
export interface AnthropicError {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

/** Builds an Anthropic error. */
export function anthropicError(status: number, type: string, message: string): AnthropicError {
  return { status, type, message };
}

/** 400 invalid_request_error (the type of every validation failure). */
export function invalidRequest(message: string): AnthropicError {
  return anthropicError(400, 'invalid_request_error', message);
}

/** True when a parse result is an error rather than a value. */
export function isAnthropicError(value: unknown): value is AnthropicError {
  return typeof value === 'object' && value !== null && 'status' in value && 'type' in value && 'message' in value;
}

/** The error `type` Anthropic pairs with an HTTP status. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** 404 for a model that does not exist, worded as the API words it. */
export function modelNotFound(model: string): AnthropicError {
  return anthropicError(404, 'not_found_error', `model: ${model}`);
}

function resetTime(seconds: number): string {
  // RFC 3339 at second precision, as Anthropic sends it.
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The anthropic-ratelimit-* headers; `limited` answers as a requests-per-minute 429 does. */
export function anthropicRateLimitHeaders(limited: boolean, resetSeconds = 1): Record<string, string> {
  const reset = resetTime(limited ? resetSeconds : 0);
  return {
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': limited ? '0' : '3999',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-input-tokens-limit': '2000000',
    'anthropic-ratelimit-input-tokens-remaining': '2000000',
    'anthropic-ratelimit-input-tokens-reset': reset,
    'anthropic-ratelimit-output-tokens-limit': '400000',
    'anthropic-ratelimit-output-tokens-remaining': '400000',
    'anthropic-ratelimit-output-tokens-reset': reset,
    'anthropic-ratelimit-tokens-limit': '2400000',
    'anthropic-ratelimit-tokens-remaining': '2400000',
    'anthropic-ratelimit-tokens-reset': reset,
  };
}

const MESSAGES: Record<number, string> = {
  400: 'messages: the request could not be processed.',
  401: 'invalid x-api-key',
  402: 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
  403: 'Your API key does not have permission to use the specified resource.',
  413: 'Request exceeds the maximum allowed number of bytes.',
  500: 'Internal server error',
  504: 'Request timed out',
  529: 'Overloaded',
};

/** The error Anthropic sends with a given status, for the `status=NNN` and `stream-error` faults. */
export function anthropicErrorForStatus(status: number, model: string, retryAfter: number | undefined): AnthropicError {
  if (status === 404) return modelNotFound(model);
  if (status === 429) {
    const wait = retryAfter ?? 1;
    const err = anthropicError(
      429,
      'rate_limit_error',
      'This request would exceed the rate limit for your organization (mock-upstream) of 4,000 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
    );
    err.headers = { ...anthropicRateLimitHeaders(true, wait), 'retry-after': String(wait) };
    return err;
  }
  const err = anthropicError(status, errorTypeForStatus(status), MESSAGES[status] ?? `Request failed with status ${status}.`);
  if (retryAfter !== undefined) err.headers = { 'retry-after': String(retryAfter) };
  return err;
}
