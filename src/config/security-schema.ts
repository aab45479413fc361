import ipaddr from 'ipaddr.js';
import { z } from 'zod';

// `security:` — who may connect, whose X-Forwarded-For is believed, response headers, CORS and maintenance mode.
// The address parsers live here (config is a leaf) so that the schema and the pipeline factories apply exactly the
// same rules: a list the schema accepted can never fail, or mean something else, in the pipeline.
//
// As everywhere in the config, messages never quote the value: it may have come from an environment variable.

/** An IP address in the one form Rampart compares: IPv4-mapped IPv6 (::ffff:a.b.c.d) is turned into IPv4. */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed CIDR block, normalised like `IpAddress`. */
export interface Cidr {
  address: IpAddress;
  bits: number;
}

// Strict textual forms only. ipaddr.js also reads inet_aton forms (127.1, 0x7f.0.0.1, 017.0.0.1) and zone ids;
// in a config file or an X-Forwarded-For header those are typos or tricks, never what a proxy writes.
const V6_CHARS = /^[0-9a-f:.]+$/i;

function parseRaw(text: string): IpAddress | undefined {
  if (text.includes(':')) return V6_CHARS.test(text) && ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text) : undefined;
}

/** Parses one IP address in canonical dotted-quad or IPv6 text (no zone id), or returns undefined. */
export function parseStrictIp(text: string): IpAddress | undefined {
  const parsed = parseRaw(text);
  return parsed === undefined ? undefined : unmapped(parsed);
}

/** ::ffff:a.b.c.d is the dual-stack socket's view of an IPv4 client; it must match IPv4 rules. */
export function unmapped(address: IpAddress): IpAddress {
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() ? address.toIPv4Address() : address;
}

const CIDR_EXAMPLE = '(e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)';

/** Parses `address` or `address/bits`; returns the reason as a string when it is not a usable CIDR. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const bitsText = slash === -1 ? undefined : text.slice(slash + 1);
  const parsed = parseRaw(addressText);
  if (parsed === undefined) return `is not an IP address or CIDR ${CIDR_EXAMPLE}`;
  const width = parsed.kind() === 'ipv4' ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return `has a prefix length that is not a number ${CIDR_EXAMPLE}`;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return `has a prefix length above ${width}`;
  const bytes = parsed.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    // Bits past the prefix are almost always a typo (10.1.2.3/8 for 10.1.2.3/32?); guessing either way is wrong.
    if (((bytes[i] ?? 0) & (0xff >> keep)) !== 0) return `has address bits set after the /${bits} prefix; write the network address`;
  }
  // A v4-mapped block is the dual-stack spelling of an IPv4 block; compare it as one.
  const address = unmapped(parsed);
  if (address !== parsed && bits >= 96) return { address, bits: bits - 96 };
  return { address: parsed, bits };
}

/** Why a CIDR may not be a trusted proxy, beyond being malformed. */
export function trustedProxyProblem(cidr: Cidr): string | undefined {
  // /0 is the CLIProxyAPI failure this product exists to fix: every client could choose its own address.
  return cidr.bits === 0 ? 'trusts every address as a proxy, which lets any client choose its own IP; list the proxies' : undefined;
}

/** Why `text` is not an origin a browser sends (scheme://host[:port], lower case, no path), or undefined. */
export function originProblem(text: string): string | undefined {
  if (text === '*') return "'*' is refused: list each allowed origin, e.g. https://app.example.com";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not an origin like https://app.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  // Browsers send the serialised origin; matching is exact, so anything else (a trailing slash, a path, upper case,
  // a default port) would silently never match.
  if (url.origin !== text) {
    return 'must be an origin exactly as browsers send it: scheme://host[:port] in lower case, no path, no trailing slash, no default port';
  }
  return undefined;
}

function cidrEntry(extra?: (cidr: Cidr) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const cidr = parseCidr(value);
    const problem = typeof cidr === 'string' ? cidr : extra?.(cidr);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const originEntry = z.string().superRefine((value, ctx) => {
  const problem = originProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const corsObject = z.strictObject({
  allowedOrigins: z
    .array(originEntry)
    .default([])
    .describe(
      "Browser origins (e.g. https://app.example.com) allowed to call the API cross-origin. Empty: CORS is off and no Access-Control-* header is sent. '*' is refused.",
    ),
});

const maintenanceObject = z.strictObject({
  enabled: z.boolean().default(false).describe('Answer every proxy request (health endpoints excepted) with 503 and the message below.'),
  message: z
    .string()
    .min(1)
    .max(500)
    .default('Rampart is under maintenance; try again later.')
    .describe('The error message clients see while maintenance mode is on.'),
});

const securityObject = z.strictObject({
  trustedProxies: z
    .array(cidrEntry(trustedProxyProblem))
    .default([])
    .describe(
      'Addresses or CIDRs of reverse proxies in front of Rampart. Only from these peers are X-Forwarded-For and X-Forwarded-Proto believed; from anyone else they are ignored.',
    ),
  ipAllowlist: z
    .array(cidrEntry())
    .default([])
    .describe('Client addresses or CIDRs (IPv4 and IPv6) allowed to connect. Empty: every address not on the denylist.'),
  ipDenylist: z
    .array(cidrEntry())
    .default([])
    .describe('Client addresses or CIDRs refused with 403. Checked before the allowlist, so it wins.'),
  allowQueryKey: z
    .boolean()
    .default(false)
    .describe('Also accept the client key as ?key= (some Gemini clients need it). Off: query strings end up in proxy and browser logs.'),
  hsts: z
    .enum(['auto', 'always', 'off'])
    .default('auto')
    .describe(
      'Strict-Transport-Security: auto sends it when the client connected over HTTPS (TLS here, or X-Forwarded-Proto from a trusted proxy); always sends it on every response; off never.',
    ),
  cors: corsObject.default(() => corsObject.parse({})).describe('Cross-origin access from browsers.'),
  maintenance: maintenanceObject
    .default(() => maintenanceObject.parse({}))
    .describe('Maintenance mode at boot; the management API can switch it at run time.'),
});

/** `security:` — trusted proxies, IP allow/deny lists, response headers, CORS and maintenance mode. */
export const securitySchema = securityObject.default(() => securityObject.parse({}));

/** The parsed `security:` section, defaults applied. */
export type SecurityConfig = z.output<typeof securitySchema>;
