import { BlockList, isIP } from 'node:net';

// BlockList also matches IPv4-mapped IPv6 forms (::ffff:127.0.0.1) and non-canonical IPv6 spellings of ::1.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True when `host` can only be reached from this machine: 127.0.0.0/8, ::1 or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  const family = isIP(bare);
  if (family === 0) return false;
  return loopback.check(bare, family === 6 ? 'ipv6' : 'ipv4');
}
