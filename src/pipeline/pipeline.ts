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
import { type RequestMetricsSink, requestMetricsStep } from './request-metrics.ts';
import { hstsOption, securityHeadersStep } from './security-headers.ts';
import { securityAuditHooks } from './security-audit.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { type AuditFailurePolicy, auditGuardStep } from './audit-guard.ts';
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
  /** Security events (auth failures, IP, rate-limit, body refusals) go here; absent in tests that do not look. */
  audit?: AuditLog | undefined;
  /** What proxied requests get while the audit log cannot be written (`audit.onFailure.proxy`). */
  auditFailurePolicy?: AuditFailurePolicy | undefined;
  /** Temporary IP blocks (alert rules, `rampart blocks`), checked with the IP lists. */
  blocks?: { blockedUntil(clientIp: string): number | undefined } | undefined;
  /** Request count and latency per route/provider/status (onResponse); absent when metrics are off. */
  requestMetrics?: RequestMetricsSink | undefined;
}

/**
 * The request's way through the proxy listener, in order. This is the only place the order is written down
 * (docs/lifecycle.md draws it):
 *
 *   socket (Fastify: bodyLimit, timeouts) → request id (genReqId, echoed as x-request-id)
 *   → client IP (socket; X-Forwarded-For only from trusted proxies) → access log → security headers
 *   → IP deny/allow lists and temporary blocks → CORS (preflight) → maintenance mode
 *   → audit guard (503 while the audit log cannot be written, under the `block` policy) → client key auth (fail closed)
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
  app.decorateRequest('routedProvider', null);
  decorateClientIp(app);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onRequest', clientIpStep({ trustedProxies: security.trustedProxies }));
  app.addHook('onRequest', accessLogStep({ log: deps.log, enabled: deps.accessLog }));
  app.addHook('onRequest', securityHeadersStep({ hsts: hstsOption(security.hsts) }));
  const audit = securityAuditHooks(deps.audit);
  app.addHook('onRequest', ipFilterStep({ allowlist: security.ipAllowlist, denylist: security.ipDenylist, ...(deps.blocks ? { blocks: deps.blocks } : {}), onDenied: (ip, reason, request) => {
    deps.log.warn({ ip, reason }, 'request refused by IP list');
    audit.ipDenied(request, reason);
  } }));
  app.addHook('onRequest', corsStep({ allowedOrigins: security.cors.allowedOrigins }));
  app.addHook('onRequest', maintenanceStep(deps.maintenance));
  if (deps.audit) {
    app.addHook('onRequest', auditGuardStep({
      audit: deps.audit,
      policy: deps.auditFailurePolicy ?? 'block',
      onFailure: (policy) => deps.log.error({ policy }, 'the audit log cannot be written; proxied requests follow the audit failure policy'),
      onRecovery: () => deps.log.warn('the audit log is writable again'),
    }));
  }
  app.addHook('onRequest', clientAuthStep({ keys: deps.keys, allowQueryKey: security.allowQueryKey, onRefused: audit.authRefused, onAccepted: audit.authAccepted }));
  app.addHook('onRequest', rateLimitStep({ ...deps.rateLimits, onLimited: audit.rateLimited }));
  app.addHook('onRequest', keyConcurrencyStep({ maxPerKey: deps.maxConcurrentPerKey }));
  // onResponse: after the answer is complete, so it does not order against the steps above.
  if (deps.requestMetrics) app.addHook('onResponse', requestMetricsStep(deps.requestMetrics));
  installJsonBodyParser(app, deps.bodyLimits, audit.bodyRefused);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new RampartError('RAMPART_ROUTE_NOT_FOUND')));
}
