import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { clientIpStep, decorateClientIp } from './client-ip.ts';
import { type IpDenyReason, type IpFilterOptions, ipFilterStep } from './ip-filter.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(options: IpFilterOptions, trustedProxies: string[] = []): FastifyInstance {
  const instance = Fastify();
  decorateClientIp(instance);
  instance.addHook('onRequest', clientIpStep({ trustedProxies }));
  instance.addHook('onRequest', ipFilterStep(options));
  instance.get('/v1/models', { config: { wireFormat: 'openai' } }, () => ({ ok: true }));
  instance.post('/v1/messages', { config: { wireFormat: 'anthropic' } }, () => ({ ok: true }));
  instance.get('/healthz', { config: { public: true } }, () => ({ status: 'ok' }));
  app = instance;
  return instance;
}

async function statusFrom(instance: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}): Promise<number> {
  return (await instance.inject({ url: '/v1/models', remoteAddress, headers })).statusCode;
}

describe('ipFilterStep', () => {
  it('lets everyone in when both lists are empty', async () => {
    const instance = build({ allowlist: [], denylist: [] });
    expect(await statusFrom(instance, '198.51.100.9')).toBe(200);
  });

  it('checks the denylist before the allowlist, so an address on both is refused', async () => {
    const denied: [string, IpDenyReason][] = [];
    const instance = build({ allowlist: ['10.0.0.0/8'], denylist: ['10.6.6.0/24'], onDenied: (ip, reason) => denied.push([ip, reason]) });
    expect(await statusFrom(instance, '10.1.2.3')).toBe(200);
    expect(await statusFrom(instance, '10.6.6.6')).toBe(403);
    expect(await statusFrom(instance, '192.0.2.1')).toBe(403);
    expect(denied).toEqual([
      ['10.6.6.6', 'denylisted'],
      ['192.0.2.1', 'not_allowlisted'],
    ]);
  });

  it('refuses with RAMPART_IP_DENIED in the route’s error shape, health included', async () => {
    const instance = build({ allowlist: [], denylist: ['192.0.2.0/24'] });
    const openai = await instance.inject({ url: '/v1/models', remoteAddress: '192.0.2.1' });
    expect(openai.statusCode).toBe(403);
    expect(openai.json()).toMatchObject({ error: { code: 'RAMPART_IP_DENIED', type: 'permission_error' } });
    const anthropic = await instance.inject({ method: 'POST', url: '/v1/messages', remoteAddress: '192.0.2.1', payload: {} });
    expect(anthropic.json()).toMatchObject({ type: 'error', error: { code: 'RAMPART_IP_DENIED', type: 'permission_error' } });
    expect((await instance.inject({ url: '/healthz', remoteAddress: '192.0.2.1' })).statusCode).toBe(403);
  });

  it('matches IPv6 clients against IPv6 blocks only, and v4-mapped clients against IPv4 blocks', async () => {
    const instance = build({ allowlist: ['2001:db8::/32', '203.0.113.0/24'], denylist: ['2001:db8:bad::/48'] });
    expect(await statusFrom(instance, '2001:db8::1')).toBe(200);
    expect(await statusFrom(instance, '2001:db8:bad::1')).toBe(403);
    expect(await statusFrom(instance, '2001:db9::1')).toBe(403);
    expect(await statusFrom(instance, '::ffff:203.0.113.7')).toBe(200);
    expect(await statusFrom(instance, '::ffff:198.51.100.7')).toBe(403);
  });

  it('filters the derived client address, not the proxy’s, and not a spoofed header', async () => {
    const instance = build({ allowlist: [], denylist: ['6.6.6.6'] }, ['10.0.0.0/8']);
    expect(await statusFrom(instance, '10.0.0.2', { 'x-forwarded-for': '6.6.6.6' })).toBe(403);
    expect(await statusFrom(instance, '10.0.0.2', { 'x-forwarded-for': '7.7.7.7' })).toBe(200);
    // From an untrusted peer the header is ignored, so it cannot frame someone else nor hide the peer.
    expect(await statusFrom(instance, '198.51.100.9', { 'x-forwarded-for': '6.6.6.6' })).toBe(200);
    expect(await statusFrom(instance, '6.6.6.6', { 'x-forwarded-for': '7.7.7.7' })).toBe(403);
  });

  it('refuses an unknown address when a list is configured', async () => {
    const denied: IpDenyReason[] = [];
    const instance = Fastify();
    app = instance;
    decorateClientIp(instance); // clientIp stays '' as when the socket is already gone
    instance.addHook('onRequest', ipFilterStep({ allowlist: [], denylist: ['192.0.2.0/24'], onDenied: (_ip, reason) => denied.push(reason) }));
    instance.get('/x', () => 'ok');
    expect((await instance.inject({ url: '/x' })).statusCode).toBe(403);
    expect(denied).toEqual(['unknown_address']);
  });

  it('still refuses when the onDenied callback throws', async () => {
    const instance = build({
      allowlist: ['10.0.0.0/8'],
      denylist: [],
      onDenied: () => {
        throw new Error('audit down');
      },
    });
    expect(await statusFrom(instance, '192.0.2.1')).toBe(403);
  });

  it('fails at boot on a bad CIDR, naming the list and index but no value', () => {
    expect(() => ipFilterStep({ allowlist: ['10.0.0.0/8', '10.0.0.0/99'], denylist: [] })).toThrow(/^security\.ipAllowlist\[1\] has a prefix length above 32/);
    expect(() => ipFilterStep({ allowlist: [], denylist: ['2001:db8::/129'] })).toThrow(/^security\.ipDenylist\[0\] has a prefix length above 128/);
    expect(() => ipFilterStep({ allowlist: ['10.1.2.3/8'], denylist: [] })).toThrow(/\[0\] has address bits set after the \/8 prefix/);
    expect(() => ipFilterStep({ allowlist: [], denylist: ['192.0.2.1', 'bogus'] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('192.0.2.1') as unknown }),
    );
  });
});

describe('ipFilterStep with temporary blocks', () => {
  const until = () => Date.now() + 90_000;
  const blockedSet = (addresses: string[]) => ({ blockedUntil: (ip: string) => (addresses.includes(ip) ? until() : undefined) });

  it('refuses a blocked address with 403 RAMPART_IP_BLOCKED and retry-after, without any list configured', async () => {
    const denied: [string, IpDenyReason][] = [];
    const instance = build({ allowlist: [], denylist: [], blocks: blockedSet(['198.51.100.7']), onDenied: (ip, reason) => denied.push([ip, reason]) });
    const res = await instance.inject({ url: '/v1/models', remoteAddress: '198.51.100.7' });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('RAMPART_IP_BLOCKED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(89);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(90);
    expect(await statusFrom(instance, '198.51.100.8')).toBe(200);
    expect(denied).toEqual([['198.51.100.7', 'blocked']]);
  });

  it('matches the normalised client address, so v4-mapped notation does not dodge a block', async () => {
    const instance = build({ allowlist: [], denylist: [], blocks: blockedSet(['198.51.100.7']) });
    expect(await statusFrom(instance, '::ffff:198.51.100.7')).toBe(403);
  });

  it('lets the denylist win over a block, and a block win over the allowlist', async () => {
    const denied: IpDenyReason[] = [];
    const instance = build({ allowlist: ['10.0.0.0/8'], denylist: ['10.6.6.0/24'], blocks: blockedSet(['10.6.6.6', '10.1.1.1']), onDenied: (_ip, reason) => denied.push(reason) });
    expect(await statusFrom(instance, '10.6.6.6')).toBe(403);
    expect(await statusFrom(instance, '10.1.1.1')).toBe(403);
    expect(await statusFrom(instance, '10.1.1.2')).toBe(200);
    expect(denied).toEqual(['denylisted', 'blocked']);
  });
});
