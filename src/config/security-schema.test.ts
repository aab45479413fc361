import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseCidr, parseStrictIp, securitySchema } from './security-schema.ts';

function issuesOf(input: unknown): { path: PropertyKey[]; message: string }[] {
  const result = securitySchema.safeParse(input);
  if (result.success) throw new Error('expected the parse to fail');
  return result.error.issues.map(({ path, message }) => ({ path, message }));
}

describe('securitySchema', () => {
  it('defaults to the safe settings', () => {
    expect(securitySchema.parse(undefined)).toEqual({
      trustedProxies: [],
      ipAllowlist: [],
      ipDenylist: [],
      allowQueryKey: false,
      hsts: 'auto',
      cors: { allowedOrigins: [] },
      maintenance: { enabled: false, message: 'Rampart is under maintenance; try again later.' },
    });
  });

  it('accepts addresses and CIDRs of both families', () => {
    const parsed = securitySchema.parse({
      trustedProxies: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::ffff:172.16.0.0/108'],
      ipAllowlist: ['2001:db8::/32', '0.0.0.0/0'],
      ipDenylist: ['::1'],
      cors: { allowedOrigins: ['https://app.example.com', 'http://localhost:5173'] },
    });
    expect(parsed.trustedProxies).toHaveLength(4);
    expect(parsed.cors.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('names the bad entry by its index, quoting neither it nor its neighbours', () => {
    const issues = issuesOf({ ipAllowlist: ['198.51.100.23', '10.0.0.0/8', 'my-secret-host', '203.0.113.9'] });
    expect(issues).toEqual([{ path: ['ipAllowlist', 2], message: expect.stringMatching(/^is not an IP address or CIDR/) as unknown }]);
    const text = JSON.stringify(issues);
    for (const value of ['198.51.100.23', 'my-secret-host', '203.0.113.9']) expect(text).not.toContain(value);
  });

  it.each([
    ['10.0.0.0/33', /prefix length above 32/],
    ['2001:db8::/129', /prefix length above 128/],
    ['10.0.0.0/x', /prefix length that is not a number/],
    ['10.0.0.0/', /prefix length that is not a number/],
    ['10.1.2.3/8', /bits set after the \/8 prefix/],
    ['127.1', /not an IP address/],
    ['0x7f.0.0.1', /not an IP address/],
    ['010.0.0.1', /not an IP address/],
    ['fe80::1%eth0', /not an IP address/],
    [' 10.0.0.1', /not an IP address/],
    ['', /not an IP address/],
  ])('refuses %j in a CIDR list', (entry, message) => {
    expect(issuesOf({ ipDenylist: [entry] })).toEqual([{ path: ['ipDenylist', 0], message: expect.stringMatching(message) as unknown }]);
  });

  it('refuses trusting every address as a proxy, in any spelling', () => {
    for (const entry of ['0.0.0.0/0', '::/0', '::ffff:0.0.0.0/96']) {
      expect(issuesOf({ trustedProxies: ['10.0.0.0/8', entry] }), entry).toEqual([
        { path: ['trustedProxies', 1], message: expect.stringMatching(/trusts every address/) as unknown },
      ]);
    }
  });

  it("refuses '*' and non-origins in cors.allowedOrigins", () => {
    expect(issuesOf({ cors: { allowedOrigins: ['*'] } })).toEqual([
      { path: ['cors', 'allowedOrigins', 0], message: expect.stringMatching(/'\*' is refused/) as unknown },
    ]);
    for (const entry of ['https://app.example.com/', 'https://app.example.com/x', 'https://APP.example.com', 'https://app.example.com:443', 'file:///x', 'app']) {
      expect(issuesOf({ cors: { allowedOrigins: ['https://ok.example.com', entry] } })[0]?.path, entry).toEqual(['cors', 'allowedOrigins', 1]);
    }
  });

  it('is strict at every level, and checks types and the hsts enum', () => {
    expect(issuesOf({ trustedProxy: [] })[0]?.message).toMatch(/trustedProxy/);
    expect(issuesOf({ cors: { allowedOrigin: [] } })[0]?.path).toEqual(['cors']);
    expect(issuesOf({ maintenance: { enabled: true, msg: 'x' } })[0]?.path).toEqual(['maintenance']);
    expect(issuesOf({ hsts: 'sometimes' })[0]?.path).toEqual(['hsts']);
    expect(issuesOf({ maintenance: { message: '' } })[0]?.path).toEqual(['maintenance', 'message']);
    expect(issuesOf({ allowQueryKey: 'yes' })[0]?.path).toEqual(['allowQueryKey']);
  });

  it('describes every field, for docs/config.md and editor completion', () => {
    const undescribed: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, unknown> }).properties ?? {};
      for (const [key, child] of Object.entries(properties)) {
        if (typeof (child as { description?: unknown }).description !== 'string') undescribed.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
    };
    const schema = z.toJSONSchema(securitySchema, { io: 'input' });
    walk(schema, '');
    expect(Object.keys((schema as { properties: object }).properties)).toHaveLength(7);
    expect(undescribed).toEqual([]);
  });
});

describe('address parsing', () => {
  it('normalises v4-mapped addresses and blocks to IPv4', () => {
    expect(parseStrictIp('::ffff:192.0.2.1')?.toString()).toBe('192.0.2.1');
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ bits: 8 });
    expect(String((parseCidr('::ffff:10.0.0.0/104') as { address: unknown }).address)).toBe('10.0.0.0');
    expect(parseCidr('192.0.2.7')).toMatchObject({ bits: 32 });
    expect(parseCidr('2001:db8::1')).toMatchObject({ bits: 128 });
  });
});
