import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from './address-policy.ts';

describe('isForbiddenAddress', () => {
  it.each([
    // IPv4 loopback, unspecified, link-local (the cloud metadata service lives at 169.254.169.254)
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback, end of 127/8'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this-network 0/8'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    // RFC 1918 and CGNAT, with both edges
    ['10.0.0.5', 'private 10/8'],
    ['10.255.255.255', 'private 10/8 end'],
    ['172.16.0.1', 'private 172.16/12 start'],
    ['172.31.255.255', 'private 172.16/12 end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['100.64.0.1', 'CGNAT start'],
    ['100.127.255.255', 'CGNAT end'],
    // multicast, broadcast, reserved, documentation, benchmarking
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved 240/4'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    // inet_aton spellings of loopback, as a socket API would read them
    ['127.1', 'short loopback'],
    ['0x7f.1', 'hex loopback'],
    ['2130706433', 'integer loopback'],
    ['017700000001', 'octal integer loopback'],
    // IPv6 loopback, unspecified, link-local, unique-local, site-local, multicast, documentation, discard
    ['::1', 'IPv6 loopback'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
    ['[::1]', 'IPv6 loopback in brackets'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with zone'],
    ['febf:ffff::1', 'IPv6 link-local end of fe80::/10'],
    ['fc00::1', 'unique-local fc00::/7 (fc)'],
    ['fd12:3456:789a::1', 'unique-local fc00::/7 (fd)'],
    ['fec0::1', 'deprecated site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['100::1', 'IPv6 discard'],
    ['4000::1', 'outside 2000::/3'],
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['::808:808', 'IPv4-compatible (deprecated) even of a public address'],
    // IPv6 forms that embed a forbidden IPv4
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.5', 'IPv4-mapped private'],
    ['::ffff:0:127.0.0.1', 'IPv4-translated loopback'],
    ['64:ff9b::10.0.0.5', 'NAT64 of private'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of metadata'],
    ['64:ff9b:1::808:808', 'local-use NAT64 prefix'],
    ['2002:7f00:1::', '6to4 of loopback'],
    ['2002:a9fe:a9fe::1', '6to4 of metadata'],
    ['2001:0:4136:e378:8000:63bf:f5ff:fffa', 'Teredo whose client is 10.0.0.5'],
    ['2001:0:a00:5:8000:63bf:f7f7:f7f7', 'Teredo whose server is 10.0.0.5'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo whose client is 192.0.2.45 (documentation)'],
    // not an address at all: fail closed
    ['', 'empty'],
    ['localhost', 'a name'],
    ['256.1.1.1', 'out of range octet'],
    ['1.2.3.4.5', 'five parts'],
  ])('forbids %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    ['8.8.8.8', 'public IPv4'],
    ['1.1.1.1', 'public IPv4'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.1', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.1', 'just above CGNAT'],
    ['169.253.255.255', 'just below link-local'],
    ['11.0.0.1', 'just above 10/8'],
    ['2001:4860:4860::8888', 'public IPv6'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['[2606:4700:4700::1111]', 'public IPv6 in brackets'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public'],
    ['64:ff9b::808:808', 'NAT64 of public'],
    ['2002:808:808::1', '6to4 of public'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'Teredo between public addresses (client 8.8.8.8)'],
  ])('allows %s (%s)', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});
