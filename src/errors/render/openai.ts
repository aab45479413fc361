import type { ErrorKind, RampartError } from '../catalogue.ts';

/** OpenAI's error body, as documented in the API reference ("error" object with message/type/param/code). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string; request_id: string };
}

const typeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  request_too_large: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  rate_limit: 'rate_limit_error',
  upstream: 'api_error',
  overloaded: 'server_error',
  timeout: 'timeout_error',
  internal: 'server_error',
};

/** Render an error in OpenAI's shape, carrying Rampart's stable code and the request id. */
export function renderOpenAIError(error: RampartError, requestId: string): OpenAIErrorBody {
  return { error: { message: error.message, type: typeByKind[error.kind], param: error.param, code: error.code, request_id: requestId } };
}
