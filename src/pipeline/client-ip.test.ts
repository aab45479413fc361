import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientIpStep, compileCidrList, decorateClientIp, resolveClient } from './client-ip.ts';

function trusted(...cidrs: string[]) {
  return compileCidrList(cidrs, 'security.trustedProxies');
}

function resolve(remoteAddress: string | undefined, headers: Record<string, string | string[]>, list = trusted(), encrypted = false) {
  return resolveClient({ remoteAddress, encrypted, headers }, list);
}

describe('resolveClient', () => {
  it('ignores X-Forwarded-For and X-Forwarded-Proto from a peer that is not a trusted proxy', () => {
    const spoof = { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' };
    expect(resolve('198.51.100.9', spoof)).toEqual({ ip: '198.51.100.9', scheme: 'http' });
    expect(resolve('198.51.100.9', spoof, trusted('10.0.0.0/8'))).toEqual({ ip: '198.51.100.9', scheme: 'http' });
  });

  it('walks a trusted chain from the right and stops at the first untrusted hop', () => {
    const list = trusted('10.0.0.0/8', '192.0.2.1');
    // 6.6.6.6 is what the client wrote itself; 203.0.113.5 is what the first trusted proxy saw.
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 192.0.2.1, 10.1.1.1' };
    expect(resolve('10.0.0.2', headers, list).ip).toBe('203.0.113.5');
  });

  it('takes the leftmost hop when every hop is trusted, and the peer when there is no header', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '10.9.9.9, 10.0.0.3' }, list).ip).toBe('10.9.9.9');
    expect(resolve('10.0.0.2', {}, list).ip).toBe('10.0.0.2');
  });

  it('stops at a malformed hop and keeps the last trusted hop, never what lies beyond the garbage', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, nonsense, 10.0.0.3' }, list).ip).toBe('10.0.0.3');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '6.6.6.6,' }, list).ip).toBe('10.0.0.2');
    // inet_aton shorthand and zone ids are not what a proxy writes.
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '6.6.6.6, 127.1' }, list).ip).toBe('10.0.0.2');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': 'fe80::1%eth0' }, list).ip).toBe('10.0.0.2');
  });

  it('reads repeated X-Forwarded-For headers as one list', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': ['203.0.113.5', '10.0.0.7'] }, list).ip).toBe('203.0.113.5');
  });

  it('accepts ports and brackets that some balancers add', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '203.0.113.5:4711' }, list).ip).toBe('203.0.113.5');
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '[2001:db8::7]:443' }, list).ip).toBe('2001:db8::7');
  });

  it('handles IPv6 peers and hops, in RFC 5952 form', () => {
    const list = trusted('fd00::/8');
    expect(resolve('fd00::1', { 'x-forwarded-for': '2001:DB8:0:0:0:0:0:1' }, list).ip).toBe('2001:db8::1');
    // RFC 5952 §4.2.3: the longest run of zeros is the one compressed.
    expect(resolve('2001:0:0:1:0:0:0:1', {}).ip).toBe('2001:0:0:1::1');
    expect(resolve('2001:db8::9', { 'x-forwarded-for': '1.2.3.4' }, list).ip).toBe('2001:db8::9');
  });

  it('normalises v4-mapped peers and hops, and matches them against IPv4 trusted proxies', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('::ffff:198.51.100.9', {})).toEqual({ ip: '198.51.100.9', scheme: 'http' });
    expect(resolve('::ffff:10.0.0.2', { 'x-forwarded-for': '::ffff:203.0.113.5' }, list).ip).toBe('203.0.113.5');
    // A v4-mapped trusted entry covers the plain IPv4 peer too.
    expect(resolve('10.0.0.2', { 'x-forwarded-for': '203.0.113.5' }, trusted('::ffff:10.0.0.0/104')).ip).toBe('203.0.113.5');
  });

  it('takes the scheme from TLS, or from the rightmost X-Forwarded-Proto of a trusted peer', () => {
    const list = trusted('10.0.0.0/8');
    expect(resolve('198.51.100.9', {}, list, true).scheme).toBe('https');
    expect(resolve('10.0.0.2', { 'x-forwarded-proto': 'HTTPS' }, list).scheme).toBe('https');
    expect(resolve('10.0.0.2', { 'x-forwarded-proto': 'https, http' }, list).scheme).toBe('http');
    expect(resolve('10.0.0.2', { 'x-forwarded-proto': 'gopher' }, list).scheme).toBe('http');
  });

  it('says the address is unknown when the socket has none', () => {
    expect(resolve(undefined, { 'x-forwarded-for': '1.2.3.4' }).ip).toBe('');
  });
});

function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a throw');
}

describe('clientIpStep', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  function build(trustedProxies: string[]): FastifyInstance {
    const instance = Fastify();
    decorateClientIp(instance);
    instance.addHook('onRequest', clientIpStep({ trustedProxies }));
    instance.get('/ip', (request) => ({ ip: request.clientIp, scheme: request.clientScheme, socket: request.socket.remoteAddress }));
    return instance;
  }

  it('refuses a bad CIDR at boot, naming the index and no value', () => {
    expect(() => clientIpStep({ trustedProxies: ['10.0.0.0/8', 'secret-neighbour'] })).toThrow(/^security\.trustedProxies\[1\] is not an IP/);
    expect(() => clientIpStep({ trustedProxies: ['10.0.0.0/8', '10.0.0.0/33'] })).toThrow(/\[1\] has a prefix length above 32/);
    expect(() => clientIpStep({ trustedProxies: ['0.0.0.0/0'] })).toThrow(/\[0\] trusts every address/);
    expect(() => clientIpStep({ trustedProxies: ['::/0'] })).toThrow(/\[0\] trusts every address/);
    const message = thrownMessage(() => clientIpStep({ trustedProxies: ['192.0.2.55', 'not-an-ip'] }));
    expect(message).toMatch(/\[1\]/);
    expect(message).not.toContain('192.0.2.55');
    expect(message).not.toContain('not-an-ip');
  });

  it('decorates requests over inject, spoofed headers from an untrusted peer ignored', async () => {
    app = build(['10.0.0.0/8']);
    const spoofed = await app.inject({ url: '/ip', remoteAddress: '198.51.100.9', headers: { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' } });
    expect(spoofed.json()).toMatchObject({ ip: '198.51.100.9', scheme: 'http' });
    const proxied = await app.inject({ url: '/ip', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' } });
    expect(proxied.json()).toMatchObject({ ip: '1.2.3.4', scheme: 'https' });
    const v6 = await app.inject({ url: '/ip', remoteAddress: '::1', headers: { 'x-forwarded-for': '1.2.3.4' } });
    expect(v6.json()).toMatchObject({ ip: '::1', scheme: 'http' });
  });

  it('sees a real loopback socket, and a dual-stack (v4-mapped) socket as plain IPv4', async () => {
    for (const [host, socket] of [['127.0.0.1', '127.0.0.1'], ['::ffff:127.0.0.1', '::ffff:127.0.0.1']]) {
      app = build([]);
      await app.listen({ host, port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/ip`, { headers: { 'x-forwarded-for': '1.2.3.4' } });
      // The socket field proves the dual-stack case really saw a mapped address.
      expect(await response.json()).toEqual({ ip: '127.0.0.1', scheme: 'http', socket });
      await app.close();
      app = undefined;
    }
  });
});
