// OpenAI's error envelope `{error:{message,type,param,code}}` and the bodies the real API sends for each case.
// Messages follow the live API's wording so clients that match on them behave as they would in production.

/** The object inside OpenAI's `{ error }` envelope. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** An error response to send: status plus body (and extra headers, e.g. retry-after). */
export interface OpenAIError {
  status: number;
  error: OpenAIErrorBody;
  headers?: Record<string, string>;
}

/** Builds an OpenAI error; `type` defaults to invalid_request_error. */
export function openaiError(
  status: number,
  message: string,
  options: { type?: string; param?: string | null; code?: string | null } = {},
): OpenAIError {
  return {
    status,
    error: { message, type: options.type ?? 'invalid_request_error', param: options.param ?? null, code: options.code ?? null },
  };
}

/** How OpenAI names a JSON value's type in "expected X, but got Y" messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

/** 400 for a field of the wrong JSON type. */
export function invalidType(param: string, expected: string, value: unknown): OpenAIError {
  return openaiError(400, `Invalid type for '${param}': expected ${expected}, but got ${describeType(value)} instead.`, {
    param,
    code: 'invalid_type',
  });
}

/** 400 for a missing required field. */
export function missingParameter(param: string): OpenAIError {
  return openaiError(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
}

/** 400 for a body that is not JSON. */
export function unparsableBody(): OpenAIError {
  return openaiError(
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  );
}

/** 400 for a bad `x-mock-fault` / `[mock:...]` spec, naming the offending item. */
export function invalidFaultSpec(item: string, reason: string): OpenAIError {
  return openaiError(400, `Invalid mock fault item '${item}': ${reason}.`, { param: 'x-mock-fault', code: 'invalid_mock_fault' });
}

/** 404 for a completion request naming a model that does not exist. */
export function modelNotFound(model: string): OpenAIError {
  return openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, { code: 'model_not_found' });
}

/** 401 without any API key. */
export function missingApiKey(): OpenAIError {
  return openaiError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
  );
}

/** 401 for a wrong API key; like OpenAI, only a masked form of the key is echoed. */
export function invalidApiKey(key: string): OpenAIError {
  const masked = key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 40))}${key.slice(-4)}` : '*'.repeat(key.length);
  return openaiError(401, `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`, {
    code: 'invalid_api_key',
  });
}

/** 404 for a path no route serves. */
export function invalidUrl(method: string, path: string): OpenAIError {
  return openaiError(404, `Invalid URL (${method} ${path})`);
}

/** 405 for a known path with the wrong method. */
export function invalidMethod(method: string, path: string): OpenAIError {
  return openaiError(405, `Invalid method for URL (${method} ${path})`);
}

/** The rate-limit headers OpenAI sends; `limited` answers as a request-per-minute 429 does. */
export function rateLimitHeaders(limited: boolean, resetSeconds = 1): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-requests': limited ? '0' : '9999',
    'x-ratelimit-remaining-tokens': limited ? '29999000' : '29999990',
    'x-ratelimit-reset-requests': limited ? `${resetSeconds}s` : '6ms',
    'x-ratelimit-reset-tokens': '0s',
  };
}

/** The error OpenAI sends with a given status, for the `status=NNN` fault. */
export function errorForStatus(status: number, model: string, retryAfter: number | undefined): OpenAIError {
  let result: OpenAIError;
  switch (status) {
    case 400:
      result = openaiError(400, "Invalid value for 'messages': the request could not be processed.", { param: 'messages', code: 'invalid_value' });
      break;
    case 401:
      result = invalidApiKey('sk-mock-upstream-fault');
      break;
    case 403:
      result = openaiError(403, 'Country, region, or territory not supported', { type: 'request_forbidden', code: 'unsupported_country_region_territory' });
      break;
    case 404:
      result = modelNotFound(model);
      break;
    case 429: {
      const wait = retryAfter ?? 1;
      result = openaiError(
        429,
        `Rate limit reached for ${model} in organization org-mockupstream on requests per min (RPM): Limit 10000, Used 10000, Requested 1. Please try again in ${wait}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        { type: 'requests', code: 'rate_limit_exceeded' },
      );
      result.headers = { ...rateLimitHeaders(true, wait), 'retry-after': String(wait) };
      return result;
    }
    case 500:
      result = openaiError(500, 'The server had an error while processing your request. Sorry about that!', { type: 'server_error' });
      break;
    case 503:
      result = openaiError(503, 'The server is overloaded or not ready yet.', { type: 'server_error' });
      break;
    default:
      result = status < 500
        ? openaiError(status, `Request failed with status ${status}.`)
        : openaiError(status, `The server had an error (status ${status}) while processing your request.`, { type: 'server_error' });
  }
  if (retryAfter !== undefined) result.headers = { 'retry-after': String(retryAfter) };
  return result;
}
