import type { IncomingHttpHeaders } from 'node:http';
import { type ErrorCode, RampartError } from '../errors/catalogue.ts';

/** Longest retry hint passed on to clients; a hostile upstream must not park them for days. */
const MAX_RETRY_AFTER_SECONDS = 1800;

/** Said for a 3xx: following it could lead Rampart, with the credential attached, anywhere the upstream chooses. */
export const REDIRECT_MESSAGE = 'The upstream answered with a redirect, which Rampart does not follow.';

/**
 * Maps an upstream HTTP status that is not a success (3xx, 4xx, 5xx) to a catalogue error. The upstream body is never passed on: it may contain
 * details of the credential or the account that the client must not see.
 */
export function mapUpstreamStatus(status: number, headers: IncomingHttpHeaders): RampartError {
  if (status >= 300 && status < 400) return new RampartError('RAMPART_UPSTREAM_REDIRECT', { message: REDIRECT_MESSAGE });
  let code: ErrorCode;
  if (status === 401 || status === 403) code = 'RAMPART_UPSTREAM_AUTH';
  else if (status === 404) code = 'RAMPART_UPSTREAM_NOT_FOUND';
  else if (status === 408 || status === 504) code = 'RAMPART_UPSTREAM_TIMEOUT';
  else if (status === 429) code = 'RAMPART_UPSTREAM_RATE_LIMITED';
  else if (status === 413 || status === 422 || (status >= 400 && status < 500)) code = 'RAMPART_UPSTREAM_BAD_REQUEST';
  else if (status === 503 || status === 529) code = 'RAMPART_UPSTREAM_UNAVAILABLE';
  else code = 'RAMPART_UPSTREAM_ERROR';
  const retryAfter = parseRetryAfter(headers['retry-after']);
  return new RampartError(code, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
}

/** Parses `retry-after` (delta-seconds or HTTP-date, RFC 9110 §10.2.3), capped; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  let seconds: number;
  if (/^\d+$/.test(raw.trim())) seconds = Number(raw.trim());
  else {
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}
