import type { FastifyRequest } from 'fastify';
import type { AuditEventInput, AuditLog } from '../audit/audit-log.ts';
import type { ErrorCode, RampartError } from '../errors/catalogue.ts';
import type { AuthRefusal } from './client-auth.ts';
import type { IpDenyReason } from './ip-filter.ts';
import type { WafEventContext } from './waf.ts';

/** Body refusals that point at a hostile or broken client rather than a typo: audited as `security_violation`. */
const BODY_VIOLATIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RAMPART_REQUEST_PROTO_POISONING',
  'RAMPART_REQUEST_INVALID_UTF8',
  'RAMPART_REQUEST_TOO_DEEP',
  'RAMPART_REQUEST_STRING_TOO_LONG',
]);

/** At most one `ip_denied` event per address in this many ms; the next one carries how many were left out. */
const IP_DENIED_INTERVAL_MS = 60_000;
/**
 * At most one `auth_success` event per key and address in this many ms. Every proxied request is audited anyway
 * (`provider_request`, naming the key); this event marks a key's first use from an address, and then its continued
 * use every ten minutes, without doubling the audit volume of the hot path.
 */
const AUTH_SUCCESS_INTERVAL_MS = 600_000;
/** Subjects (addresses; key × address) being thinned at once (bounded: the least recent is forgotten first). */
const THINNED_TRACKED = 10_000;

/**
 * Thins `ip_denied` events: a refused address is refused before rate limiting, so without this a blocked client could
 * make the audit log write (and fsync) once per request it sends. Returns how many events were left out since the
 * last one written, or undefined when this one is left out too.
 */
function thinner(now: () => number, intervalMs: number): (subject: string) => number | undefined {
  const seen = new Map<string, { at: number; skipped: number }>();
  return (subject) => {
    const t = now();
    const entry = seen.get(subject);
    if (entry !== undefined && t - entry.at < intervalMs) {
      entry.skipped++;
      return undefined;
    }
    seen.delete(subject);
    seen.set(subject, { at: t, skipped: 0 });
    if (seen.size > THINNED_TRACKED) seen.delete(seen.keys().next().value ?? '');
    return entry?.skipped ?? 0;
  };
}

/** The pipeline's audit hooks: each turns one refusal into one audit event with the client address and request id. */
export interface SecurityAuditHooks {
  ipDenied: (request: FastifyRequest, reason: IpDenyReason) => void;
  authRefused: (request: FastifyRequest, refusal: AuthRefusal) => void;
  authAccepted: (request: FastifyRequest) => void;
  rateLimited: (request: FastifyRequest, scope: 'key' | 'ip' | 'global') => void;
  bodyRefused: (request: FastifyRequest, error: RampartError) => void;
  wafDetect: (ruleId: string, context: WafEventContext) => void;
  wafBlock: (ruleId: string, context: WafEventContext) => void;
}

/** Who made the request: the key when one was presented and known, else anonymous. */
function actorOf(request: FastifyRequest): string {
  return request.clientKey ? `key:${request.clientKey.id}` : 'anonymous';
}

/** The request path only: a query string may hold a credential (Gemini's ?key=). */
function routeOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Hooks that write the security events alert rules and operators need: `ip_denied`, `auth_failure`, `auth_success`,
 * `rate_limited`,
 * `security_violation`, `waf_detect`, `waf_block`. Details hold reason codes, rule ids, key ids and display prefixes
 * only: never a presented key, a header value or prompt text. `ip_denied` is written at most once a minute per
 * address, with the number left out in `details.suppressed`; `auth_success` once per key and address every ten
 * minutes, with the requests since the last one in `details.since`. Without an audit log every hook is a no-op.
 */
export function securityAuditHooks(audit: AuditLog | undefined, now: () => number = Date.now): SecurityAuditHooks {
  const thinIpDenied = thinner(now, IP_DENIED_INTERVAL_MS);
  const thinAuthSuccess = thinner(now, AUTH_SUCCESS_INTERVAL_MS);
  const record = (event: AuditEventInput): void => {
    // record() never throws by contract; a sink that does anyway must not turn a refusal into a 500.
    try {
      audit?.record(event);
    } catch {
      /* the sink reports its own failures (audit_sink_failure, healthy() = false) */
    }
  };
  const base = (request: FastifyRequest) => ({ actor: actorOf(request), ip: request.clientIp, requestId: request.id });
  return {
    ipDenied: (request, reason) => {
      if (audit === undefined) return;
      const suppressed = thinIpDenied(request.clientIp);
      if (suppressed === undefined) return;
      record({ type: 'ip_denied', ...base(request), outcome: 'denied', details: { reason, route: routeOf(request), suppressed } });
    },
    authRefused: (request, refusal) => {
      const actor = refusal.key === undefined ? 'anonymous' : `key:${refusal.key.id}`;
      const details: Record<string, unknown> = { reason: refusal.reason, route: routeOf(request) };
      if (refusal.key !== undefined) details.keyPrefix = refusal.key.prefix;
      record({ type: 'auth_failure', actor, ip: request.clientIp, requestId: request.id, outcome: 'denied', details });
    },
    authAccepted: (request) => {
      const key = request.clientKey;
      if (audit === undefined || key === null) return;
      const suppressed = thinAuthSuccess(`${key.id} ${request.clientIp}`);
      if (suppressed === undefined) return;
      record({ type: 'auth_success', ...base(request), outcome: 'success', details: { keyPrefix: key.prefix, route: routeOf(request), since: suppressed } });
    },
    rateLimited: (request, scope) => {
      record({ type: 'rate_limited', ...base(request), outcome: 'denied', details: { scope, route: routeOf(request) } });
    },
    bodyRefused: (request, error) => {
      if (!BODY_VIOLATIONS.has(error.code)) return;
      record({ type: 'security_violation', ...base(request), outcome: 'denied', details: { code: error.code, route: routeOf(request) } });
    },
    wafDetect: (ruleId, context) => {
      record({ type: 'waf_detect', actor: context.keyId === null ? 'anonymous' : `key:${context.keyId}`, ip: context.ip, requestId: context.requestId, outcome: 'detected', details: { ruleId, route: context.route, model: context.model.slice(0, 100) } });
    },
    wafBlock: (ruleId, context) => {
      record({ type: 'waf_block', actor: context.keyId === null ? 'anonymous' : `key:${context.keyId}`, ip: context.ip, requestId: context.requestId, outcome: 'blocked', details: { ruleId, route: context.route, model: context.model.slice(0, 100) } });
    },
  };
}
