import { describe, expect, it } from 'vitest';
import { compileRouteGlobs, routePath } from './route-glob.ts';

describe('compileRouteGlobs', () => {
  it.each([
    ['/v1/messages', '/v1/messages', true],
    ['/v1/messages', '/v1/messages/count_tokens', false],
    ['/v1/*', '/v1/messages/count_tokens', true],
    ['/v1/*', '/v1beta/models', false],
    ['/v1beta/models/*:generateContent', '/v1beta/models/gemini-2.5-pro:generateContent', true],
    ['/v1beta/models/*:generateContent', '/v1beta/models/gemini-2.5-pro:streamGenerateContent', false],
    ['/v1/?hat/*', '/v1/chat/completions', true],
    ['/v1/.*', '/v1/messages', false],
  ])('%s against %s → %s', (glob, path, expected) => {
    expect(compileRouteGlobs([glob])(path)).toBe(expected);
  });

  it('matches when any glob of the rule does', () => {
    const matches = compileRouteGlobs(['/v1/messages', '/v1/chat/*']);
    expect([matches('/v1/chat/completions'), matches('/v1/messages'), matches('/v1/responses')]).toEqual([true, true, false]);
  });

  it('stays fast on a crafted path against many stars (no regex backtracking)', () => {
    const matches = compileRouteGlobs([`/${'*a'.repeat(50)}*b`]);
    const started = performance.now();
    expect(matches(`/${'a'.repeat(16_000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('routePath', () => {
  it('drops the query string and fragment', () => {
    expect(routePath('/v1beta/models/x:generateContent?key=abc&alt=sse')).toBe('/v1beta/models/x:generateContent');
    expect(routePath('/v1/messages#frag')).toBe('/v1/messages');
    expect(routePath('/v1/messages')).toBe('/v1/messages');
  });
});
