import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { parseStrictIp } from '../config/security-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import { compileCidrList } from './client-ip.ts';
import { sendError } from './send-error.ts';

/** Why an address was refused: on the denylist, blocked for a while (alert rule, CLI), missing from a non-empty allowlist, or not known at all. */
export type IpDenyReason = 'denylisted' | 'blocked' | 'not_allowlisted' | 'unknown_address';

/** Options of `ipFilterStep`; the lists are CIDRs or single addresses, IPv4 or IPv6. */
export interface IpFilterOptions {
  allowlist: readonly string[];
  denylist: readonly string[];
  /** Told about every refusal (the audit log hooks in here); it must not throw, and a throw never lets a request in. */
  onDenied?: (ip: string, reason: IpDenyReason, request: FastifyRequest) => void;
  /** Temporary blocks (src/alerts/ip-block-list.ts): when the address's block ends (epoch ms), or undefined. */
  blocks?: { blockedUntil(clientIp: string): number | undefined };
}

/**
 * Pipeline step: global IP allow/deny lists, on every route (health included), after `clientIpStep`. The denylist
 * is checked first so it always wins; an empty allowlist lets in every address that is not denied.
 */
export function ipFilterStep(options: IpFilterOptions): onRequestHookHandler {
  const allow = compileCidrList(options.allowlist, 'security.ipAllowlist');
  const deny = compileCidrList(options.denylist, 'security.ipDenylist');
  const { onDenied, blocks } = options;
  if (allow.size === 0 && deny.size === 0 && blocks === undefined) {
    return function ipFilterOff(_request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
      done();
    };
  }
  const lists = allow.size > 0 || deny.size > 0;
  return function ipFilter(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    const address = lists ? parseStrictIp(request.clientIp) : undefined;
    let reason: IpDenyReason | undefined;
    // A block sits between the lists: the static denylist wins, and a block holds even for an allowlisted address.
    const blockedUntil = blocks?.blockedUntil(request.clientIp);
    // An address we cannot read cannot be shown to pass a list, so with any list configured it is refused.
    if (lists && address === undefined) reason = 'unknown_address';
    else if (address !== undefined && deny.contains(address)) reason = 'denylisted';
    else if (blockedUntil !== undefined) reason = 'blocked';
    else if (address !== undefined && allow.size > 0 && !allow.contains(address)) reason = 'not_allowlisted';
    if (reason === undefined) {
      done();
      return;
    }
    try {
      onDenied?.(request.clientIp, reason, request);
    } catch (error: unknown) {
      request.log.error({ err: error }, 'ip filter: onDenied failed');
    }
    // Not `done()`: sending from a callback-style hook ends the chain here.
    sendError(request, reply, reason === 'blocked' ? blockedError(blockedUntil ?? Date.now()) : new RampartError('RAMPART_IP_DENIED'));
  };
}

/** The 403 for a blocked address, saying when the block ends (retry-after, in whole seconds, at least 1). */
function blockedError(until: number): RampartError {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  return new RampartError('RAMPART_IP_BLOCKED', { message: `Requests from this address are blocked until ${new Date(until).toISOString()}.`, retryAfterSeconds: seconds });
}
