import type { ErrorCode } from '../errors/catalogue.ts';
import { RampartError } from '../errors/catalogue.ts';
import { AUTH_FAILURE_REASONS, OTHER, RATE_LIMIT_SCOPES, type UPSTREAM_ERROR_KINDS } from './names.ts';

/** Upstream error kind (label value) per catalogue code; codes not listed are not upstream failures. */
const UPSTREAM_KIND_BY_CODE: Partial<Record<ErrorCode, (typeof UPSTREAM_ERROR_KINDS)[number]>> = {
  RAMPART_UPSTREAM_AUTH: 'auth',
  RAMPART_UPSTREAM_BAD_REQUEST: 'bad_request',
  RAMPART_UPSTREAM_NOT_FOUND: 'not_found',
  RAMPART_UPSTREAM_RATE_LIMITED: 'rate_limited',
  RAMPART_UPSTREAM_ERROR: 'server_error',
  RAMPART_UPSTREAM_UNAVAILABLE: 'unavailable',
  RAMPART_UPSTREAM_TIMEOUT: 'timeout',
  RAMPART_UPSTREAM_REDIRECT: 'redirect',
  RAMPART_UPSTREAM_FORBIDDEN_ADDRESS: 'forbidden_address',
  RAMPART_UPSTREAM_INVALID_RESPONSE: 'invalid_response',
  RAMPART_UPSTREAM_STREAM_INTERRUPTED: 'stream_interrupted',
};

/** The `kind` of an upstream failure, or undefined when it is none (a client that left, Rampart's own refusal). */
export function upstreamErrorKind(error: unknown): string | undefined {
  return error instanceof RampartError ? UPSTREAM_KIND_BY_CODE[error.code] : undefined;
}

/** `reason` per client-auth catalogue code, for audit events that carry a code instead of a reason. */
const REASON_BY_CODE: Partial<Record<ErrorCode, (typeof AUTH_FAILURE_REASONS)[number]>> = {
  RAMPART_AUTH_MISSING_KEY: 'missing',
  RAMPART_AUTH_INVALID_KEY: 'invalid',
  RAMPART_AUTH_NO_KEYS: 'no_keys',
  RAMPART_AUTH_KEY_REVOKED: 'revoked',
  RAMPART_AUTH_KEY_EXPIRED: 'expired',
  RAMPART_AUTH_KEY_DISABLED: 'disabled',
  RAMPART_AUTH_QUERY_KEY_REFUSED: 'query_key',
  RAMPART_KEY_SCOPE_MODEL: 'scope_model',
  RAMPART_KEY_SCOPE_PROVIDER: 'scope_provider',
  RAMPART_KEY_SCOPE_ROUTE: 'scope_route',
  RAMPART_KEY_SCOPE_IP: 'scope_ip',
};

const REASONS: ReadonlySet<string> = new Set(AUTH_FAILURE_REASONS);
const SCOPES: ReadonlySet<string> = new Set(RATE_LIMIT_SCOPES);

/**
 * The `reason` label of an auth_failure audit event: its `details.reason` when that is a known reason, else the reason
 * of its `details.code`, else `other`. Only listed values pass, so a producer cannot grow the label set.
 */
export function authFailureReason(details: Readonly<Record<string, unknown>> | undefined): string {
  const reason = details?.reason;
  if (typeof reason === 'string' && REASONS.has(reason)) return reason;
  const code = details?.code;
  if (typeof code === 'string') return (REASON_BY_CODE as Record<string, string | undefined>)[code] ?? OTHER;
  return OTHER;
}

/** The `scope` label of a rate_limited audit event: its `details.scope` when known, else `other`. */
export function rateLimitScope(details: Readonly<Record<string, unknown>> | undefined): string {
  const scope = details?.scope;
  return typeof scope === 'string' && SCOPES.has(scope) ? scope : OTHER;
}

/** `1xx`…`5xx` for a status code; anything out of range counts as `5xx` (it is a fault). */
export function statusClass(status: number): '1xx' | '2xx' | '3xx' | '4xx' | '5xx' {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 400 && status < 500) return '4xx';
  if (status >= 300 && status < 400) return '3xx';
  if (status >= 100 && status < 200) return '1xx';
  return '5xx';
}
