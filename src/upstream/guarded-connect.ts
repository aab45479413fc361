import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { isForbiddenAddress } from '../lib/address-policy.ts';

// The request-time SSRF guard. Names are resolved by our own `lookup`, every answer is checked, and the socket is
// connected to exactly the addresses that were checked: net.connect/tls.connect take their target from `lookup`'s
// answer, so a DNS server that answers differently the second time (rebinding) gets no second question. TLS keeps
// the original host name for SNI and certificate checks, because undici still passes it as `host`/`servername`.

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Turns a host name into its addresses; injectable so tests never depend on, or send traffic to, real DNS answers. */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts), all addresses in the order the system gives them. */
export const systemResolver: Resolver = async (host) => {
  const answers = await dnsLookup(host, { all: true, order: 'verbatim' });
  return answers.map(({ address, family }) => ({ address, family }));
};

/** A connection refused before any socket was opened: the upstream host is, or resolves to, an internal address. */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  /** Not an undici socket code, so undici fails the queued requests instead of retrying the connect. */
  readonly code = 'RAMPART_FORBIDDEN_ADDRESS';
  /** The host name asked for and the forbidden address it is or resolved to (for operator logs, not for clients). */
  readonly host: string;
  readonly address: string;

  constructor(host: string, address: string) {
    super(`upstream host ${host} is or resolves to ${address}, an internal address (allowPrivateNetwork is off for this provider)`);
    this.host = host;
    this.address = address;
  }
}

/** What the guarded connector needs: the connect timeout (which also bounds resolution), the policy, the resolver. */
export interface GuardedConnectorOptions {
  connectTimeoutMs: number;
  allowPrivateNetwork: boolean;
  resolve: Resolver;
}

/**
 * Resolves `host` and checks every answer (a name with one internal address among public ones is refused whole:
 * happy-eyeballs may pick any of them). Returns the addresses of `family` (0 = any), or throws.
 */
export async function resolveChecked(resolve: Resolver, host: string, allowPrivateNetwork: boolean, family = 0): Promise<ResolvedAddress[]> {
  const answers = await resolve(host);
  // The family comes from the address itself, not from what a resolver claims about it.
  const addresses = answers.map(({ address }) => ({ address, family: isIP(address) }));
  if (!allowPrivateNetwork) {
    const bad = addresses.find(({ address }) => isForbiddenAddress(address));
    if (bad !== undefined) throw new ForbiddenAddressError(host, bad.address);
  }
  const usable = addresses.filter((a) => a.family !== 0 && (family === 0 || a.family === family));
  if (usable.length === 0) throw Object.assign(new Error(`no usable address for ${host}`), { code: 'ENOTFOUND', hostname: host });
  return usable;
}

/** A `lookup` for net/tls.connect that answers only with checked addresses. */
export function guardedLookup(resolve: Resolver, allowPrivateNetwork: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    void resolveChecked(resolve, hostname, allowPrivateNetwork, family).then(
      (addresses) => {
        const first = addresses[0] as ResolvedAddress; // resolveChecked never returns an empty list
        if (options.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
}

/**
 * An undici connector that refuses forbidden addresses before any socket exists: a literal IP host is checked
 * here (net.connect does not call `lookup` for one), a name through `guardedLookup`.
 */
export function guardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  const base = buildConnector({ timeout: options.connectTimeoutMs, lookup: guardedLookup(options.resolve, options.allowPrivateNetwork) });
  if (options.allowPrivateNetwork) return base;
  return (connectOptions, callback) => {
    const host = connectOptions.hostname;
    if (isIP(host) !== 0 && isForbiddenAddress(host)) {
      // Asynchronously, as a real connect failure would be: undici's connect loop does not expect a re-entrant call.
      queueMicrotask(() => callback(new ForbiddenAddressError(host, host), null));
      return;
    }
    base(connectOptions, callback);
  };
}
