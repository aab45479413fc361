import ipaddr from 'ipaddr.js';

/**
 * The rate-limit bucket of a client address. IPv6 clients are counted per /64: one subscriber usually holds a whole
 * /64 (RFC 6177), so counting single addresses would let one client rotate through 2^64 fresh limits. IPv4-mapped
 * IPv6 counts as the IPv4 address it carries. Text that is not an address (a socket already gone) is its own bucket.
 */
export function ipBucketKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...prefix, 0, 0, 0, 0]).toRFC5952String()}/64`;
}
