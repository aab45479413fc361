import type { RampartError } from '../catalogue.ts';

/** Google's error body (google.rpc.Status as JSON): `{error:{code, message, status, details}}`. */
export interface GeminiErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details: { '@type': string; reason: string; domain: string; metadata: { request_id: string } }[];
  };
}

/** The canonical google.rpc.Code name for an HTTP status, as Google APIs pair them. */
function statusName(status: number): string {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return 'INTERNAL';
  }
}

/** Render an error in Google's shape; Rampart's stable code rides in an ErrorInfo detail. */
export function renderGeminiError(error: RampartError, requestId: string): GeminiErrorBody {
  return {
    error: {
      code: error.status,
      message: error.message,
      status: statusName(error.status),
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: error.code, domain: 'rampart', metadata: { request_id: requestId } }],
    },
  };
}
