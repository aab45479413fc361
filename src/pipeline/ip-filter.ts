import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { parseStrictIp } from '../config/security-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import { compileCidrList } from './client-ip.ts';
import { sendError } from './send-error.ts';

/** Why an address was refused: on the denylist, missing from a non-empty allowlist, or not known at all. */
export type IpDenyReason = 'denylisted' | 'not_allowlisted' | 'unknown_address';

/** Options of `ipFilterStep`; the lists are CIDRs or single addresses, IPv4 or IPv6. */
export interface IpFilterOptions {
  allowlist: readonly string[];
  denylist: readonly string[];
  /** Told about every refusal (the audit log hooks in here); it must not throw, and a throw never lets a request in. */
  onDenied?: (ip: string, reason: IpDenyReason) => void;
}

/**
 * Pipeline step: global IP allow/deny lists, on every route (health included), after `clientIpStep`. The denylist
 * is checked first so it always wins; an empty allowlist lets in every address that is not denied.
 */
export function ipFilterStep(options: IpFilterOptions): onRequestHookHandler {
  const allow = compileCidrList(options.allowlist, 'security.ipAllowlist');
  const deny = compileCidrList(options.denylist, 'security.ipDenylist');
  const { onDenied } = options;
  if (allow.size === 0 && deny.size === 0) {
    return function ipFilterOff(_request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
      done();
    };
  }
  return function ipFilter(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const address = parseStrictIp(request.clientIp);
    let reason: IpDenyReason | undefined;
    // An address we cannot read cannot be shown to pass a list, so with any list configured it is refused.
    if (address === undefined) reason = 'unknown_address';
    else if (deny.contains(address)) reason = 'denylisted';
    else if (allow.size > 0 && !allow.contains(address)) reason = 'not_allowlisted';
    if (reason === undefined) {
      done();
      return;
    }
    try {
      onDenied?.(request.clientIp, reason);
    } catch (error: unknown) {
      request.log.error({ err: error }, 'ip filter: onDenied failed');
    }
    // Not `done()`: sending from a callback-style hook ends the chain here.
    sendError(request, reply, new RampartError('RAMPART_IP_DENIED'));
  };
}
