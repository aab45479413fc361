import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RampartError } from '../errors/catalogue.ts';
import type { ClientKeyService } from '../keys/client-keys.ts';
import type { RateLimitsConfig } from '../config/limits-schema.ts';
import type { SecurityConfig } from '../config/security-schema.ts';
import { rateLimitStep } from '../limits/rate-limit-step.ts';
import type { BodyLimits } from './validate-body.ts';
import { accessLogStep } from './access-log.ts';
import { keyConcurrencyStep } from './key-concurrency.ts';
import { clientAuthStep } from './client-auth.ts';
import { clientIpStep, decorateClientIp } from './client-ip.ts';
import { corsStep } from './cors.ts';
import { ipFilterStep } from './ip-filter.ts';
import { type MaintenanceView, maintenanceStep } from './maintenance.ts';
import { hstsOption, securityHeadersStep } from './security-headers.ts';
import { errorHandler } from './error-handler.ts';
import './fastify-types.ts';
import { installJsonBodyParser } from './json-body.ts';
import { sendError } from './send-error.ts';

/** What the proxy pipeline needs from the rest of the app. */
export interface ProxyPipelineDeps {
  keys: ClientKeyService;
  log: Logger;
  accessLog: boolean;
  security: SecurityConfig;
  maintenance: MaintenanceView;
  rateLimits: RateLimitsConfig;
  bodyLimits: BodyLimits;
  maxConcurrentPerKey: number;
}

/**
 * The request's way through the proxy listener, in order. This is the only place the order is written down
 * (docs/lifecycle.md draws it):
 *
 *   socket (Fastify: bodyLimit, timeouts) → request id (genReqId, echoed as x-request-id)
 *   → client IP (socket; X-Forwarded-For only from trusted proxies) → access log → security headers
 *   → IP deny/allow lists → CORS (preflight) → maintenance mode → client key auth (fail closed)
 *   → rate limits (key → IP → global; 429 with retry-after and x-ratelimit-*) → in-flight cap per key
 *   → body: size cap, invalid UTF-8, JSON depth and string caps, proto-poisoning refused
 *   → route handler: parse client format → canonical → WAF (prompt, model, headers) → max_tokens ceiling
 *     → plan → failover over credentials → stream/JSON back
 *
 * Each step is a factory whose options are checked at boot. Why this order: the client IP never answers and
 * everything after reads it; the access log comes before any step that can answer, so refusals are logged; headers
 * come before every answer (403, 503, 204 included); a denied address never gets a CORS grant; preflights carry no
 * key; maintenance spares key lookups.
 */
export function installProxyPipeline(app: FastifyInstance, deps: ProxyPipelineDeps): void {
  const { security } = deps;
  app.decorateRequest('clientKey', null);
  decorateClientIp(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', clientIpStep({ trustedProxies: security.trustedProxies }));
  app.addHook('onRequest', accessLogStep({ log: deps.log, enabled: deps.accessLog }));
  app.addHook('onRequest', securityHeadersStep({ hsts: hstsOption(security.hsts) }));
  app.addHook('onRequest', ipFilterStep({ allowlist: security.ipAllowlist, denylist: security.ipDenylist, onDenied: (ip, reason) => deps.log.warn({ ip, reason }, 'request refused by IP list') }));
  app.addHook('onRequest', corsStep({ allowedOrigins: security.cors.allowedOrigins }));
  app.addHook('onRequest', maintenanceStep(deps.maintenance));
  app.addHook('onRequest', clientAuthStep({ keys: deps.keys, allowQueryKey: security.allowQueryKey }));
  app.addHook('onRequest', rateLimitStep(deps.rateLimits));
  app.addHook('onRequest', keyConcurrencyStep({ maxPerKey: deps.maxConcurrentPerKey }));
  installJsonBodyParser(app, deps.bodyLimits);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new RampartError('RAMPART_ROUTE_NOT_FOUND')));
}
