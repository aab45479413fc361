// Google's error envelope (google.rpc.Status as JSON: `{error:{code, message, status, details?}}`) and the
// errors the Gemini API sends per status, with its wording (ai.google.dev "Troubleshooting" / error codes).

/** The object inside Google's `{ error }` envelope. */
export interface GoogleError {
  code: number;
  message: string;
  status: string;
  details?: unknown[];
}

/** The canonical google.rpc.Code name Google pairs with an HTTP status. */
export function googleStatusName(code: number): string {
  switch (code) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ABORTED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 499:
      return 'CANCELLED';
    case 501:
      return 'UNIMPLEMENTED';
    case 503:
      return 'UNAVAILABLE';
    case 504:
      return 'DEADLINE_EXCEEDED';
    default:
      return code < 500 ? 'FAILED_PRECONDITION' : 'INTERNAL';
  }
}

/** Builds a Google error; the status name follows from the code. */
export function googleError(code: number, message: string, details?: unknown[]): GoogleError {
  return details === undefined ? { code, message, status: googleStatusName(code) } : { code, message, status: googleStatusName(code), details };
}

/** True when a parse result is an error rather than a value. */
export function isGoogleError(value: unknown): value is GoogleError {
  return typeof value === 'object' && value !== null && 'code' in value && 'status' in value && 'message' in value;
}

/** 400 INVALID_ARGUMENT, the answer to every malformed request. */
export function invalidArgument(message: string): GoogleError {
  return googleError(400, message);
}

/** 400 for a wrong key: Google reports an invalid key as a bad argument, not as 401/403. */
export function apiKeyNotValid(): GoogleError {
  return googleError(400, 'API key not valid. Please pass a valid API key.', [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
  ]);
}

/** 403 for a request without any key. */
export function unregisteredCaller(): GoogleError {
  return googleError(
    403,
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

/** 404 for a model a method cannot find. */
export function geminiModelNotFound(model: string, version: string, method: string): GoogleError {
  return googleError(
    404,
    `models/${model} is not found for API version ${version}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
  );
}

/** 400 for a body that is not JSON. */
export function invalidJson(): GoogleError {
  return invalidArgument('Invalid JSON payload received. Unexpected token.');
}

/** 400 for a bad `x-mock-fault` / `[mock:...]` spec, naming the offending item. */
export function invalidFaultSpec(item: string, reason: string): GoogleError {
  return invalidArgument(`Invalid mock fault item '${item}': ${reason}.`);
}

/** The error Gemini sends with a given status, for the `status=NNN` and `stream-error` faults. */
export function geminiErrorForStatus(code: number, model: string, retryAfter: number | undefined): GoogleError {
  switch (code) {
    case 400:
      return invalidArgument('Request contains an invalid argument.');
    case 401:
      return googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    case 403:
      return googleError(403, 'The caller does not have permission');
    case 404:
      return geminiModelNotFound(model, 'v1beta', 'generateContent');
    case 429:
      // Google sends no Retry-After header: the wait rides in a RetryInfo detail.
      return googleError(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel', quotaDimensions: { location: 'global', model }, quotaValue: '1000' }],
          },
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter ?? 1}s` },
        ],
      );
    case 500:
      return googleError(500, 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
    case 503:
      return googleError(503, 'The model is overloaded. Please try again later.');
    case 504:
      return googleError(504, 'Deadline expired before operation could complete.');
    default:
      return googleError(code, code < 500 ? 'Request failed.' : 'Internal error encountered.');
  }
}
