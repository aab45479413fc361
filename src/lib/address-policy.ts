import ipaddr from 'ipaddr.js';

// Which IP addresses an upstream call may connect to. The policy is an allowlist in disguise: only ordinary public
// unicast space passes (ipaddr.js range "unicast", and for IPv6 only the global unicast block 2000::/3), so a range
// that a future RFC carves out, or one this file forgot, fails closed rather than open.

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

/** 2000::/3, the only IPv6 block IANA allocates as global unicast (RFC 4291 §2.4, IANA IPv6 address space). */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * True when `ip` must not be connected to without `allowPrivateNetwork`: loopback, unspecified, link-local (incl.
 * the cloud metadata address 169.254.169.254), private, CGNAT, unique-local, site-local, multicast, broadcast,
 * reserved and documentation ranges, and IPv6 forms that embed a forbidden IPv4 (mapped, translated, NAT64, 6to4,
 * Teredo). Anything that is not an IP address at all is forbidden too.
 */
export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // ipaddr.js also reads inet_aton forms (127.1, 0x7f.1, 2130706433) the way a socket API would.
  if (!ipaddr.isValid(bare)) return true;
  const address = ipaddr.parse(bare);
  return address instanceof ipaddr.IPv4 ? forbiddenV4(address) : forbiddenV6(address);
}

function forbiddenV4(address: IPv4): boolean {
  return address.range() !== 'unicast';
}

function forbiddenV6(address: IPv6): boolean {
  const parts = address.parts;
  const part = (i: number): number => parts[i] ?? 0;
  const v4 = (high: number, low: number): IPv4 => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses (RFC 4291 §2.5.5.1): none is a real upstream.
  if (parts.slice(0, 6).every((p) => p === 0)) return true;
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d — the socket talks IPv4 to a.b.c.d (RFC 4291 §2.5.5.2)
    case 'rfc6145': // ::ffff:0:a.b.c.d, IPv4-translated (RFC 6145)
      return forbiddenV4(v4(part(6), part(7)));
    case 'rfc6052': {
      // Only the well-known NAT64 prefix 64:ff9b::/96 is translated to a public IPv4; the local-use 64:ff9b:1::/48
      // (RFC 8215) leads into the operator's own network.
      if (part(2) !== 0) return true;
      return forbiddenV4(v4(part(6), part(7)));
    }
    case '6to4': // 2002:AABB:CCDD::/48 tunnels to a.b.c.d (RFC 3056 §2)
      return forbiddenV4(v4(part(1), part(2)));
    case 'teredo': // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC, client address bit-inverted (RFC 4380 §4)
      return forbiddenV4(v4(part(2), part(3))) || forbiddenV4(v4(~part(6) & 0xffff, ~part(7) & 0xffff));
    case 'unicast':
      return !address.match(GLOBAL_UNICAST_V6);
    default:
      return true;
  }
}
