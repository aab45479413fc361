import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

/** One year, the value hstspreload.org asks for; browsers ignore HSTS received over plain HTTP (RFC 6797 §8.1). */
const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/** Options of `securityHeadersStep`: HSTS always (true), never (false), or when the client used HTTPS ('auto'). */
export interface SecurityHeadersOptions {
  hsts: boolean | 'auto';
  /** Content-Security-Policy for listeners that serve HTML (the dashboard); APIs leave it out. */
  csp?: string;
}

/** Maps the `security.hsts` config value onto the step's option. */
export function hstsOption(mode: 'auto' | 'always' | 'off'): boolean | 'auto' {
  return mode === 'auto' ? 'auto' : mode === 'always';
}

/**
 * Pipeline step: the response headers every listener sends. Set in onRequest, so they reach error replies, 404s
 * and hijacked streams (the stream relay copies `reply.getHeaders()` into writeHead). Run it after `clientIpStep`,
 * which decides `request.clientScheme`. Fastify and Node send neither `Server` nor `X-Powered-By`; tests pin that.
 */
export function securityHeadersStep(options: SecurityHeadersOptions): onRequestHookHandler {
  const { hsts, csp } = options;
  if (hsts !== true && hsts !== false && hsts !== 'auto') throw new Error("hsts must be true, false or 'auto'");
  // Checked here, not per request: reply.header would otherwise throw on every request for a bad value.
  if (csp !== undefined && (csp.trim() === '' || /[\r\n\0]/.test(csp))) throw new Error('csp must be a non-empty single-line header value');
  const fixed: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
  ];
  if (csp !== undefined) fixed.push(['content-security-policy', csp]);
  if (hsts === true) fixed.push(['strict-transport-security', HSTS_VALUE]);
  return function securityHeaders(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    for (const [name, value] of fixed) reply.header(name, value);
    if (hsts === 'auto' && (request.clientScheme === 'https' || isTls(request))) reply.header('strict-transport-security', HSTS_VALUE);
    done();
  };
}

/** TLS on our own socket means HTTPS whatever `clientScheme` says (e.g. on a listener without `clientIpStep`). */
function isTls(request: FastifyRequest): boolean {
  return (request.raw.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
}
