import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { AuditLog, AuditSinkStatus } from '../audit/audit-log.ts';
import { RampartError } from '../errors/catalogue.ts';
import { sendError } from './send-error.ts';

/** What proxied requests get while the audit log cannot be written (config `audit.onFailure.proxy`). */
export type AuditFailurePolicy = 'block' | 'continue-and-alert';

export interface AuditGuardOptions {
  audit: Pick<AuditLog, 'healthy' | 'record'> & Partial<Pick<AuditLog, 'status'>>;
  policy: AuditFailurePolicy;
  /** Called once when a failure period starts (first request that sees the sink unhealthy), for the process log. */
  onFailure?: (policy: AuditFailurePolicy, status: AuditSinkStatus | undefined) => void;
  /** Called once when the sink is healthy again. */
  onRecovery?: () => void;
}

/**
 * Pipeline step: while the audit sink is unhealthy, `block` answers 503 RAMPART_AUDIT_UNAVAILABLE (retryable) in
 * the route's wire format, so nothing happens that the log cannot record; `continue-and-alert` serves the request
 * and raises one alert per failure period (the process log, and an `alert` record that is written once the sink
 * recovers). Public routes (health) always pass so probes can report the failure.
 */
export function auditGuardStep(options: AuditGuardOptions): onRequestHookHandler {
  const { audit, policy } = options;
  if (policy !== 'block' && policy !== 'continue-and-alert') throw new Error(`audit failure policy must be block or continue-and-alert`);
  let failing = false;
  return function auditGuard(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    if (request.routeOptions.config.public === true) {
      done();
      return;
    }
    if (audit.healthy()) {
      if (failing) {
        failing = false;
        options.onRecovery?.();
      }
      done();
      return;
    }
    if (!failing) {
      failing = true;
      const status = audit.status?.();
      options.onFailure?.(policy, status);
      audit.record({ type: 'alert', actor: 'system', outcome: 'detected', details: { alert: 'audit_sink_unavailable', policy, error: status?.lastError ?? 'unknown' } });
    }
    if (policy === 'block') {
      sendError(request, reply, new RampartError('RAMPART_AUDIT_UNAVAILABLE'));
      return;
    }
    done();
  };
}
