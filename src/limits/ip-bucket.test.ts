import { describe, expect, it } from 'vitest';
import { ipBucketKey } from './ip-bucket.ts';

describe('ipBucketKey', () => {
  it('counts an IPv4 client by its address, also when a dual-stack socket maps it into IPv6', () => {
    expect(ipBucketKey('192.0.2.7')).toBe('192.0.2.7');
    expect(ipBucketKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('counts every address of one IPv6 /64 as one client', () => {
    expect(ipBucketKey('2001:db8:a:b:1:2:3:4')).toBe('2001:db8:a:b::/64');
    expect(ipBucketKey('2001:db8:a:b::ffff')).toBe('2001:db8:a:b::/64');
    expect(ipBucketKey('2001:db8:a:c::1')).toBe('2001:db8:a:c::/64');
    expect(ipBucketKey('::1')).toBe('::/64');
  });

  it('keeps text that is not an address as its own bucket', () => {
    expect(ipBucketKey('')).toBe('');
    expect(ipBucketKey('unknown')).toBe('unknown');
  });
});
