import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { originProblem } from '../config/security-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from './send-error.ts';

/** Every client route is GET or POST. */
const ALLOWED_METHODS = 'GET, POST';

/**
 * Request headers a browser may send: the three key headers, the content type and the Anthropic ones from the
 * brief, plus what the official SDKs add when run in a browser (Stainless telemetry headers of the OpenAI and
 * Anthropic SDKs, Anthropic's browser opt-in, Google's client tag); a preflight that omits one of them fails.
 */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'x-goog-api-key',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'x-goog-api-client',
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-retry-count',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-timeout',
  'x-stainless-helper',
  'x-stainless-helper-method',
].join(', ');

/** Response headers a browser script may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'x-request-id, retry-after';

/** Browsers cache a preflight for at most 2 h (Chromium) anyway; 10 min keeps a config change quick to apply. */
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * Pipeline step: CORS with an explicit origin allowlist (Fetch standard, "CORS protocol"). Empty list: CORS is off
 * and no Access-Control-* header is ever sent. Otherwise an allowed Origin is echoed exactly (never '*'), no
 * Access-Control-Allow-Credentials is sent (clients authenticate with keys in headers, not cookies), and preflights
 * are answered here, before client auth, since browsers send them without credentials. Run it before maintenance
 * and auth so a browser can read those refusals.
 */
export function corsStep(options: { allowedOrigins: readonly string[] }): onRequestHookHandler {
  options.allowedOrigins.forEach((origin, index) => {
    const problem = originProblem(origin);
    if (problem !== undefined) throw new Error(`security.cors.allowedOrigins[${index}] ${problem}`);
  });
  const allowed = new Set(options.allowedOrigins);
  if (allowed.size === 0) {
    return function corsOff(_request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
      done();
    };
  }
  return function cors(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    // Every answer depends on Origin once CORS is on, or a shared cache could hand one origin's answer to another.
    reply.header('vary', appendVary(reply.getHeader('vary')));
    const origin = request.headers.origin;
    const isAllowed = origin !== undefined && allowed.has(origin);
    const isPreflight = request.method === 'OPTIONS' && origin !== undefined && request.headers['access-control-request-method'] !== undefined;
    if (isAllowed) reply.header('access-control-allow-origin', origin);
    if (!isPreflight) {
      if (isAllowed) reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      done();
      return;
    }
    if (!isAllowed) {
      sendError(request, reply, new RampartError('RAMPART_CORS_ORIGIN_DENIED'));
      return;
    }
    reply
      .code(204)
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS)
      .send();
  };
}

function appendVary(existing: unknown): string {
  if (typeof existing !== 'string' || existing === '') return 'Origin';
  return existing.split(',').some((token) => token.trim().toLowerCase() === 'origin') ? existing : `${existing}, Origin`;
}
