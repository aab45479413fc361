import ipaddr from 'ipaddr.js';
import { type ErrorCode, RampartError } from '../errors/catalogue.ts';
import { type GlobMatcher, compileGlobs } from '../lib/glob.ts';
import type { ClientKeyRecord } from '../storage/ports.ts';

export { type GlobMatcher, compileGlobs, globMatches, globSyntaxError } from '../lib/glob.ts';

/** Which scope of a key a request fell outside of. */
export type ScopeName = 'model' | 'provider' | 'route' | 'ip';

/** A refused request: the scope and a message safe for the caller (may name the model or path asked for, never the key). */
export interface ScopeViolation {
  scope: ScopeName;
  message: string;
}

/**
 * What is known about the request. A field that is absent is not checked: the pipeline step knows route and address
 * before the body is read; the proxy knows model and provider only after routing, and checks them then.
 */
export interface ScopeRequest {
  /** The path as the client sent it, without the query string. */
  route: string;
  /** The model actually served (after alias resolution, so an alias cannot launder a model the key may not use). */
  model?: string;
  providerId?: string;
  /** The client address as decided by the trusted-proxy rules; an unparsable one is refused when the key has IP scope. */
  ip?: string;
}

interface IpRange {
  address: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
}

/** A key's scopes, compiled once. undefined = unrestricted. */
interface CompiledScope {
  marker: number;
  /** The lists it was compiled from, compared on every hit so a stale entry can never be used. */
  sources: readonly (readonly string[] | null)[];
  models: GlobMatcher | undefined;
  providers: ReadonlySet<string> | undefined;
  routes: GlobMatcher | undefined;
  ips: readonly IpRange[] | undefined;
}

// One entry per key id; a changed key replaces its entry. The bound only guards against pathological key counts.
const MAX_CACHED_KEYS = 10_000;
const cache = new Map<string, CompiledScope>();

/** Checks a request against the key's scopes, in the order route, ip, model, provider; undefined when allowed. */
export function checkKeyScope(key: ClientKeyRecord, request: ScopeRequest): ScopeViolation | undefined {
  const scope = compiledScope(key);
  if (scope.routes && !scope.routes(request.route)) {
    return { scope: 'route', message: `This API key may not call ${quote(request.route)}.` };
  }
  if (scope.ips && request.ip !== undefined && !ipAllowed(scope.ips, request.ip)) {
    // The address is not echoed: behind proxies it may not be the one the caller thinks it has.
    return { scope: 'ip', message: 'This API key may not be used from this address.' };
  }
  if (scope.models && request.model !== undefined && !scope.models(request.model)) {
    return { scope: 'model', message: `This API key may not use the model ${quote(request.model)}.` };
  }
  if (scope.providers && request.providerId !== undefined && !scope.providers.has(request.providerId)) {
    // Provider ids are the operator's internal names; the caller only learns that this model is out of reach.
    const about = request.model === undefined ? 'this model' : `the model ${quote(request.model)}`;
    return { scope: 'provider', message: `This API key may not use the provider that serves ${about}.` };
  }
  return undefined;
}

const codeByScope: Record<ScopeName, ErrorCode> = {
  model: 'RAMPART_KEY_SCOPE_MODEL',
  provider: 'RAMPART_KEY_SCOPE_PROVIDER',
  route: 'RAMPART_KEY_SCOPE_ROUTE',
  ip: 'RAMPART_KEY_SCOPE_IP',
};

/** The catalogue error (403) for a violation, ready to send or throw. */
export function keyScopeError(violation: ScopeViolation): RampartError {
  const param = violation.scope === 'model' || violation.scope === 'provider' ? 'model' : null;
  return new RampartError(codeByScope[violation.scope], { message: violation.message, param });
}

function compiledScope(key: ClientKeyRecord): CompiledScope {
  const marker = key.updatedAt.getTime();
  const sources = [key.models, key.providers, key.routes, key.ips] as const;
  const hit = cache.get(key.id);
  if (hit && hit.marker === marker && sameSources(hit.sources, sources)) return hit;
  const compiled: CompiledScope = {
    marker,
    sources,
    models: key.models === null ? undefined : compileGlobs(key.models),
    providers: key.providers === null ? undefined : new Set(key.providers),
    routes: key.routes === null ? undefined : compileGlobs(key.routes),
    ips: key.ips === null ? undefined : compileRanges(key.ips),
  };
  if (!hit && cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(key.id, compiled);
  return compiled;
}

/** Element-wise comparison: a few short strings, far cheaper than recompiling, and it makes the marker a hint only. */
function sameSources(a: readonly (readonly string[] | null)[], b: readonly (readonly string[] | null)[]): boolean {
  return a.every((list, i) => {
    const other = b[i];
    if (list === null || other === null || other === undefined) return list === other;
    return list.length === other.length && list.every((item, j) => item === other[j]);
  });
}

/** Unparsable entries (only possible in a hand-edited database) are dropped, which narrows the scope, never widens it. */
function compileRanges(cidrs: readonly string[]): IpRange[] {
  const ranges: IpRange[] = [];
  for (const cidr of cidrs) {
    try {
      const [address, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), cidr.includes(':') ? 128 : 32];
      ranges.push({ address, bits });
    } catch {
      // dropped: see above
    }
  }
  return ranges;
}

function ipAllowed(ranges: readonly IpRange[], ip: string): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns ::ffff:a.b.c.d into a.b.c.d, so a dual-stack socket matches IPv4 ranges.
    address = ipaddr.process(ip);
  } catch {
    return false;
  }
  for (const range of ranges) {
    if (address instanceof ipaddr.IPv4) {
      if (range.address instanceof ipaddr.IPv4 ? address.match(range.address, range.bits) : address.toIPv4MappedAddress().match(range.address, range.bits)) return true;
    } else if (range.address instanceof ipaddr.IPv6 && address.match(range.address, range.bits)) {
      return true;
    }
  }
  return false;
}

/** Echoes a caller-supplied name clipped and without control characters, JSON-quoted so it cannot break the line. */
function quote(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '');
  return JSON.stringify(clean.length > 100 ? `${clean.slice(0, 100)}…` : clean);
}
