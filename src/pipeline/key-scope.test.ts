import { describe, expect, it } from 'vitest';
import type { ClientKeyRecord } from '../storage/ports.ts';
import { type ScopeRequest, checkKeyScope, keyScopeError } from './key-scope.ts';

let serial = 0;
function key(scopes: Partial<Pick<ClientKeyRecord, 'models' | 'providers' | 'routes' | 'ips' | 'updatedAt' | 'id'>>): ClientKeyRecord {
  const at = new Date('2026-01-01T00:00:00Z');
  return {
    id: `key_${++serial}`,
    name: 'k',
    prefix: 'rk_live_abcd',
    hash: 'h',
    createdAt: at,
    revokedAt: null,
    updatedAt: at,
    owner: null,
    models: null,
    providers: null,
    routes: null,
    ips: null,
    expiresAt: null,
    rps: null,
    burst: null,
    monthlyTokens: null,
    maxTokens: null,
    disabledAt: null,
    ...scopes,
  };
}

const base: ScopeRequest = { route: '/v1/chat/completions' };

describe('checkKeyScope', () => {
  it('allows everything when no scope is set', () => {
    expect(checkKeyScope(key({}), { route: '/anything', model: 'm', providerId: 'p', ip: '203.0.113.9' })).toBeUndefined();
  });

  it.each([
    [['gpt-4o*', 'claude-?-haiku'], 'gpt-4o-mini', true],
    [['gpt-4o*', 'claude-?-haiku'], 'claude-3-haiku', true],
    [['gpt-4o*', 'claude-?-haiku'], 'claude-3-opus', false],
    [['gpt-4o*'], 'GPT-4O', false],
    [['*'], 'whatever', true],
    [[], 'gpt-4o', false],
  ])('models %j vs %s → %s', (models, model, allowed) => {
    const violation = checkKeyScope(key({ models }), { ...base, model });
    expect(violation === undefined).toBe(allowed);
    if (violation) expect(violation).toEqual({ scope: 'model', message: `This API key may not use the model "${model}".` });
  });

  it('does not check model or provider before they are known', () => {
    expect(checkKeyScope(key({ models: ['x'], providers: ['p'] }), base)).toBeUndefined();
  });

  it('checks providers by exact id and never names the provider to the caller', () => {
    const k = key({ providers: ['openai', 'azure-eu'] });
    expect(checkKeyScope(k, { ...base, model: 'gpt-4o', providerId: 'azure-eu' })).toBeUndefined();
    const violation = checkKeyScope(k, { ...base, model: 'gpt-4o', providerId: 'openai-compat' });
    expect(violation).toEqual({ scope: 'provider', message: 'This API key may not use the provider that serves the model "gpt-4o".' });
    expect(checkKeyScope(k, { ...base, providerId: 'azure' })?.message).not.toContain('azure');
  });

  it.each([
    [['/v1/chat/*'], '/v1/chat/completions', true],
    [['/v1/chat/*'], '/v1/embeddings', false],
    [['/v1/*'], '/v1/messages/count_tokens', true],
    [['/v1/*'], '/v1beta/models/gemini-2.5-flash:generateContent', false],
    [['/v1beta/models/gemini-*'], '/v1beta/models/gemini-2.5-flash:streamGenerateContent', true],
    [['/v1/messages'], '/v1/messages/count_tokens', false],
  ])('routes %j vs %s → %s', (routes, route, allowed) => {
    const violation = checkKeyScope(key({ routes }), { route });
    expect(violation === undefined).toBe(allowed);
    if (violation) expect(violation).toEqual({ scope: 'route', message: `This API key may not call "${route}".` });
  });

  it.each([
    [['10.0.0.0/8'], '10.1.2.3', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['10.0.0.0/8'], '::ffff:10.9.9.9', true], // v4-mapped (dual-stack socket) against a v4 range
    [['10.0.0.0/8'], '::ffff:11.0.0.1', false],
    [['192.168.1.7/32'], '192.168.1.7', true],
    [['192.168.1.7/32'], '192.168.1.8', false],
    [['::1/128'], '::1', true],
    [['::1/128'], '127.0.0.1', false],
    [['2001:db8::/32'], '2001:db8:1::5', true],
    [['2001:db8::/32'], '2001:db9::5', false],
    [['2001:db8::/32'], '10.0.0.1', false],
    [['fe80::/10'], 'fe80::1%eth0', true],
    [['::ffff:0:0/96'], '10.0.0.1', true], // a v6 range written for mapped addresses covers plain IPv4 too
    [['0.0.0.0/0'], '203.0.113.1', true],
    [['0.0.0.0/0'], '2001:db8::1', false],
    [['::/0'], '2001:db8::1', true],
    [['10.0.0.0/8', '2001:db8::/32'], '2001:db8::1', true],
    [['10.0.0.0/8'], '', false], // no address known: refused
    [['10.0.0.0/8'], 'not-an-ip', false],
    [['not-a-cidr'], '10.0.0.1', false], // a damaged stored entry narrows, never widens
  ])('ips %j vs %j → %s', (ips, ip, allowed) => {
    const violation = checkKeyScope(key({ ips }), { ...base, ip });
    expect(violation === undefined).toBe(allowed);
    if (violation) expect(violation).toEqual({ scope: 'ip', message: 'This API key may not be used from this address.' });
  });

  it('checks route, then ip, then model, then provider', () => {
    const k = key({ routes: ['/v1/chat/*'], ips: ['10.0.0.0/8'], models: ['a'], providers: ['p'] });
    const all = { route: '/v1/embeddings', ip: '1.1.1.1', model: 'b', providerId: 'q' };
    expect(checkKeyScope(k, all)?.scope).toBe('route');
    expect(checkKeyScope(k, { ...all, route: '/v1/chat/completions' })?.scope).toBe('ip');
    expect(checkKeyScope(k, { ...all, route: '/v1/chat/completions', ip: '10.0.0.1' })?.scope).toBe('model');
    expect(checkKeyScope(k, { ...all, route: '/v1/chat/completions', ip: '10.0.0.1', model: 'a' })?.scope).toBe('provider');
  });

  it('uses the new scope as soon as the key changes, even within one millisecond', () => {
    const before = key({ id: 'key_same', models: ['a*'] });
    expect(checkKeyScope(before, { ...base, model: 'abc' })).toBeUndefined();
    // Same id and marker but different lists (e.g. another process's clock): the cache must not serve the old scope.
    expect(checkKeyScope({ ...before, models: ['b*'] }, { ...base, model: 'abc' })?.scope).toBe('model');
    expect(checkKeyScope({ ...before, models: ['b*'], updatedAt: new Date(before.updatedAt.getTime() + 1) }, { ...base, model: 'bcd' })).toBeUndefined();
  });

  it('echoes a caller-supplied model clipped and without control characters', () => {
    const violation = checkKeyScope(key({ models: ['x'] }), { ...base, model: `evil\n${'m'.repeat(300)}` });
    expect(violation?.message).not.toContain('\n');
    expect(violation?.message.length).toBeLessThan(160);
  });

  it('maps each scope to its own 403 code', () => {
    expect(keyScopeError({ scope: 'model', message: 'm' })).toMatchObject({ code: 'RAMPART_KEY_SCOPE_MODEL', status: 403, message: 'm', param: 'model' });
    expect(keyScopeError({ scope: 'provider', message: 'p' })).toMatchObject({ code: 'RAMPART_KEY_SCOPE_PROVIDER', status: 403 });
    expect(keyScopeError({ scope: 'route', message: 'r' })).toMatchObject({ code: 'RAMPART_KEY_SCOPE_ROUTE', status: 403, param: null });
    expect(keyScopeError({ scope: 'ip', message: 'i' })).toMatchObject({ code: 'RAMPART_KEY_SCOPE_IP', status: 403 });
  });
});
