/**
 * Every error Rampart answers with has a stable code here. The message is the one a caller sees; it never includes
 * an upstream body, a stack trace or a secret. Renderers in ./render turn an entry into each wire format's shape.
 */

/** The class of an error, independent of wire format; each renderer maps it to its own `type`. */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'rate_limit'
  | 'upstream'
  | 'overloaded'
  | 'timeout'
  | 'internal';

export interface CatalogueEntry {
  status: number;
  kind: ErrorKind;
  message: string;
  /** Whether trying again (later, or on another credential) may succeed. */
  retryable: boolean;
}

export const catalogue = {
  RAMPART_AUTH_MISSING_KEY: {
    status: 401,
    kind: 'authentication',
    message: 'No API key provided. Send it as "Authorization: Bearer <key>", "x-api-key" or "x-goog-api-key".',
    retryable: false,
  },
  RAMPART_AUTH_INVALID_KEY: { status: 401, kind: 'authentication', message: 'Invalid API key.', retryable: false },
  RAMPART_AUTH_NO_KEYS: {
    status: 401,
    kind: 'authentication',
    message: 'No client keys exist yet, so every request is refused. Create one with: rampart keys create --name <name>',
    retryable: false,
  },
  RAMPART_AUTH_KEY_REVOKED: { status: 401, kind: 'authentication', message: 'This API key has been revoked.', retryable: false },
  RAMPART_AUTH_QUERY_KEY_REFUSED: {
    status: 401,
    kind: 'authentication',
    message: 'API keys in the URL (?key=) are refused: they leak into logs and history. Send the key in a header.',
    retryable: false,
  },
  RAMPART_AUTH_KEY_EXPIRED: { status: 401, kind: 'authentication', message: 'This API key has expired.', retryable: false },
  RAMPART_AUTH_KEY_DISABLED: { status: 401, kind: 'authentication', message: 'This API key is disabled.', retryable: false },
  RAMPART_KEY_SCOPE_MODEL: { status: 403, kind: 'permission', message: 'This API key may not use this model.', retryable: false },
  RAMPART_KEY_SCOPE_PROVIDER: { status: 403, kind: 'permission', message: 'This API key may not use the provider serving this model.', retryable: false },
  RAMPART_KEY_SCOPE_ROUTE: { status: 403, kind: 'permission', message: 'This API key may not call this route.', retryable: false },
  RAMPART_KEY_SCOPE_IP: { status: 403, kind: 'permission', message: 'This API key may not be used from this address.', retryable: false },
  RAMPART_IP_DENIED: { status: 403, kind: 'permission', message: 'Requests from this address are not allowed.', retryable: false },
  RAMPART_IP_BLOCKED: {
    status: 403,
    kind: 'permission',
    message: 'Requests from this address are blocked for a while (too many failures); retry-after says when the block ends.',
    retryable: false,
  },
  RAMPART_CORS_ORIGIN_DENIED: { status: 403, kind: 'permission', message: 'This origin is not allowed.', retryable: false },
  RAMPART_MAINTENANCE: { status: 503, kind: 'overloaded', message: 'Rampart is under maintenance; try again later.', retryable: true },
  RAMPART_AUDIT_UNAVAILABLE: {
    status: 503,
    kind: 'overloaded',
    message: 'Rampart cannot write its audit log right now, so requests are refused; try again later.',
    retryable: true,
  },
  RAMPART_RATE_LIMITED: { status: 429, kind: 'rate_limit', message: 'Too many requests; retry after the indicated time.', retryable: true },
  RAMPART_QUOTA_EXCEEDED: {
    status: 429,
    kind: 'rate_limit',
    message: "This API key's monthly token quota is used up.",
    retryable: false,
  },
  RAMPART_WAF_BLOCKED: { status: 403, kind: 'permission', message: 'The request was blocked by a security rule.', retryable: false },
  RAMPART_REQUEST_TOO_DEEP: { status: 400, kind: 'invalid_request', message: 'The request body is nested too deeply.', retryable: false },
  RAMPART_REQUEST_STRING_TOO_LONG: { status: 400, kind: 'invalid_request', message: 'A string in the request body is too long.', retryable: false },
  RAMPART_REQUEST_INVALID_UTF8: { status: 400, kind: 'invalid_request', message: 'The request body is not valid UTF-8.', retryable: false },
  RAMPART_MAX_TOKENS_EXCEEDED: { status: 400, kind: 'invalid_request', message: 'The requested max tokens exceed the allowed ceiling.', retryable: false },
  RAMPART_REQUEST_INVALID_JSON: { status: 400, kind: 'invalid_request', message: 'The request body is not valid JSON.', retryable: false },
  RAMPART_REQUEST_PROTO_POISONING: {
    status: 400,
    kind: 'invalid_request',
    message: 'The request body contains a forbidden "__proto__" or "constructor.prototype" key.',
    retryable: false,
  },
  RAMPART_REQUEST_INVALID: { status: 400, kind: 'invalid_request', message: 'The request is invalid.', retryable: false },
  RAMPART_REQUEST_TOO_LARGE: { status: 413, kind: 'request_too_large', message: 'The request body is too large.', retryable: false },
  RAMPART_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    kind: 'invalid_request',
    message: 'Unsupported content type; send "Content-Type: application/json".',
    retryable: false,
  },
  RAMPART_ROUTE_NOT_FOUND: { status: 404, kind: 'not_found', message: 'No such route.', retryable: false },
  RAMPART_MODEL_NOT_FOUND: { status: 404, kind: 'not_found', message: 'No configured provider serves this model.', retryable: false },
  RAMPART_OPERATION_UNSUPPORTED: {
    status: 400,
    kind: 'invalid_request',
    message: 'The provider serving this model does not support this operation.',
    retryable: false,
  },
  RAMPART_NO_CREDENTIAL: {
    status: 503,
    kind: 'overloaded',
    message: 'Every credential for this model is cooling down after failures; retry after the indicated time.',
    retryable: true,
  },
  RAMPART_POOL_RATE_LIMITED: {
    status: 429,
    kind: 'rate_limit',
    message: 'Every credential for this model is rate limited upstream; retry after the indicated time.',
    retryable: true,
  },
  RAMPART_MODEL_SUFFIX_INVALID: {
    status: 400,
    kind: 'invalid_request',
    message: 'The thinking suffix of the model name must be (minimal|low|medium|high|none) or a token budget, e.g. model(high) or model(16384).',
    retryable: false,
  },
  RAMPART_UPSTREAM_FORBIDDEN_ADDRESS: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream address is on a network Rampart may not reach (loopback, private or link-local); the operator can allow it per provider.',
    retryable: false,
  },
  RAMPART_UPSTREAM_REDIRECT: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream answered with a redirect, which Rampart does not follow.',
    retryable: false,
  },
  RAMPART_UPSTREAM_BAD_REQUEST: { status: 400, kind: 'invalid_request', message: 'The upstream provider rejected the request as invalid.', retryable: false },
  RAMPART_UPSTREAM_AUTH: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream provider refused the configured credential.',
    retryable: true,
  },
  RAMPART_UPSTREAM_NOT_FOUND: { status: 404, kind: 'not_found', message: 'The upstream provider does not know this model or route.', retryable: false },
  RAMPART_UPSTREAM_RATE_LIMITED: { status: 429, kind: 'rate_limit', message: 'The upstream provider is rate limiting this request.', retryable: true },
  RAMPART_UPSTREAM_ERROR: { status: 502, kind: 'upstream', message: 'The upstream provider failed to answer.', retryable: true },
  RAMPART_UPSTREAM_UNAVAILABLE: { status: 503, kind: 'overloaded', message: 'The upstream provider cannot be reached.', retryable: true },
  RAMPART_UPSTREAM_TIMEOUT: { status: 504, kind: 'timeout', message: 'The upstream provider did not answer in time.', retryable: true },
  RAMPART_UPSTREAM_INVALID_RESPONSE: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream provider sent a response Rampart could not understand.',
    retryable: true,
  },
  RAMPART_UPSTREAM_STREAM_INTERRUPTED: {
    status: 502,
    kind: 'upstream',
    message: 'The upstream stream ended before the answer was complete.',
    retryable: false,
  },
  RAMPART_INTERNAL: { status: 500, kind: 'internal', message: 'Internal error.', retryable: false },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;

/** An error with a catalogue code; the only kind of error a client ever sees. */
export class RampartError extends Error {
  override readonly name = 'RampartError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  /** The request field at fault, where one is known (rendered as OpenAI's `param`). */
  readonly param: string | null;
  /** Seconds the caller should wait, rendered as a `retry-after` header. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: { message?: string; param?: string | null; retryAfterSeconds?: number; cause?: unknown } = {}) {
    const entry: CatalogueEntry = catalogue[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = entry.status;
    this.kind = entry.kind;
    this.retryable = entry.retryable;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
