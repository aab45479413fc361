import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { IncomingHttpHeaders } from 'node:http';
import { type Cidr, type IpAddress, parseCidr, parseStrictIp, trustedProxyProblem } from '../config/security-schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address (IPv4 dotted quad or RFC 5952 IPv6), trusted proxies peeled off; '' if the socket is gone. */
    clientIp: string;
    /** The scheme the client used: TLS on our socket, or X-Forwarded-Proto from a trusted proxy. */
    clientScheme: 'http' | 'https';
  }
}

/** A set of CIDR blocks, compiled once at boot. */
export class CidrList {
  readonly #v4: Cidr[] = [];
  readonly #v6: Cidr[] = [];

  constructor(blocks: readonly Cidr[]) {
    for (const block of blocks) (block.address.kind() === 'ipv4' ? this.#v4 : this.#v6).push(block);
  }

  get size(): number {
    return this.#v4.length + this.#v6.length;
  }

  /** Whether `address` (already normalised, v4-mapped turned into IPv4) is inside one of the blocks. */
  contains(address: IpAddress): boolean {
    // ipaddr.js throws when the kinds differ, so each kind is only compared with its own blocks.
    const blocks = address.kind() === 'ipv4' ? this.#v4 : this.#v6;
    return blocks.some((block) => address.match(block.address, block.bits));
  }
}

/**
 * Compiles a CIDR list, throwing at boot with the entry's index (never its value, nor a neighbour's) when one is
 * not usable. `extra` adds a list-specific rule, such as refusing /0 for trusted proxies.
 */
export function compileCidrList(entries: readonly string[], label: string, extra?: (cidr: Cidr) => string | undefined): CidrList {
  const blocks = entries.map((entry, index) => {
    const cidr = parseCidr(entry);
    if (typeof cidr === 'string') throw new Error(`${label}[${index}] ${cidr}`);
    const problem = extra?.(cidr);
    if (problem !== undefined) throw new Error(`${label}[${index}] ${problem}`);
    return cidr;
  });
  return new CidrList(blocks);
}

/** The canonical text of an address: dotted quad, or RFC 5952 for IPv6, so lists, logs and keys agree. */
export function formatIp(address: IpAddress): string {
  // ipaddr.js 2 renders IPv6 in RFC 5952 form already; asking for it by name keeps that true across upgrades.
  return address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
}

/** One X-Forwarded-For entry: an address, optionally `a.b.c.d:port`, `[v6]` or `[v6]:port` (some balancers add ports). */
function parseHop(entry: string): IpAddress | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed?.[1] !== undefined) return parseStrictIp(bracketed[1]);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return parseStrictIp(v4WithPort?.[1] ?? text);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** What the socket and headers say about one request. */
export interface ConnectionFacts {
  remoteAddress: string | undefined;
  encrypted: boolean;
  headers: IncomingHttpHeaders;
}

/** The client as Rampart believes it to be. */
export interface ResolvedClient {
  ip: string;
  scheme: 'http' | 'https';
}

/**
 * The client's address and scheme. X-Forwarded-For is read only when our peer is a trusted proxy, from the right
 * (each proxy appends the peer it saw, so only the right end was written by someone we trust), skipping trusted
 * hops; the first untrusted hop is the client. A malformed hop stops the walk at the last trusted hop, because
 * anything left of garbage was written by nobody we can vouch for.
 */
export function resolveClient(facts: ConnectionFacts, trusted: CidrList): ResolvedClient {
  // Node keeps the zone of a link-local peer (fe80::1%eth0); the zone says nothing about who the client is.
  const socketText = facts.remoteAddress?.split('%')[0];
  const peer = socketText === undefined ? undefined : parseStrictIp(socketText);
  if (peer === undefined) return { ip: '', scheme: facts.encrypted ? 'https' : 'http' };
  if (trusted.size === 0 || !trusted.contains(peer)) return { ip: formatIp(peer), scheme: facts.encrypted ? 'https' : 'http' };

  let client: IpAddress = peer;
  const hops = headerText(facts.headers['x-forwarded-for'])?.split(',') ?? [];
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseHop(hops[i] ?? '');
    if (hop === undefined) break;
    client = hop;
    if (!trusted.contains(hop)) break;
  }
  return { ip: formatIp(client), scheme: facts.encrypted ? 'https' : forwardedScheme(facts.headers) };
}

/**
 * X-Forwarded-Proto from a trusted peer. With several values (proxies that append), the rightmost is the one our
 * peer wrote; anything but http/https counts as http, which at worst withholds HSTS.
 */
function forwardedScheme(headers: IncomingHttpHeaders): 'http' | 'https' {
  const values = headerText(headers['x-forwarded-proto'])?.split(',');
  const last = values?.[values.length - 1]?.trim().toLowerCase();
  return last === 'https' ? 'https' : 'http';
}

/** Declares `request.clientIp` and `request.clientScheme` on an instance; call once, before `clientIpStep`'s hook. */
export function decorateClientIp(app: FastifyInstance): void {
  app.decorateRequest('clientIp', '');
  app.decorateRequest('clientScheme', 'http');
}

/**
 * Pipeline step: sets `request.clientIp` and `request.clientScheme`. Never answers; steps after it (IP filter,
 * HSTS, rate limits, key IP scopes, audit) read the decorations instead of the socket or headers.
 */
export function clientIpStep(options: { trustedProxies: readonly string[] }): onRequestHookHandler {
  const trusted = compileCidrList(options.trustedProxies, 'security.trustedProxies', trustedProxyProblem);
  return function clientIp(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
    const socket = request.raw.socket as (typeof request.raw.socket & { encrypted?: boolean }) | undefined;
    const resolved = resolveClient(
      { remoteAddress: socket?.remoteAddress, encrypted: socket?.encrypted === true, headers: request.headers },
      trusted,
    );
    request.clientIp = resolved.ip;
    request.clientScheme = resolved.scheme;
    done();
  };
}
