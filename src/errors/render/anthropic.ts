import type { ErrorKind, RampartError } from '../catalogue.ts';

/** Anthropic's error body: `{type:"error", error:{type, message}, request_id}` (API reference, "Errors"). */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string; code: string };
  request_id: string;
}

const typeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  request_too_large: 'request_too_large',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  timeout: 'api_error',
  internal: 'api_error',
};

/** Render an error in Anthropic's shape; Rampart's stable code rides in `error.code`. */
export function renderAnthropicError(error: RampartError, requestId: string): AnthropicErrorBody {
  return { type: 'error', error: { type: typeByKind[error.kind], message: error.message, code: error.code }, request_id: requestId };
}
