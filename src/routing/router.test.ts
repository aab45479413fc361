import { describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../config/schema.ts';
import { type RoutePlan, Router } from './router.ts';

const timeouts = { connectMs: 1000, headersMs: 1000, idleMs: 1000 };
const provider = (id: string, models: ProviderConfig['models'], keys = ['k']): ProviderConfig => ({
  id,
  type: 'openai-compatible',
  baseUrl: `http://127.0.0.1:9/${id}`,
  credentials: keys.map((apiKey) => ({ apiKey, weight: 1 })),
  policy: 'round-robin',
  allowPrivateNetwork: true,
  models,
  timeouts,
});

const summary = (plan: RoutePlan | string) =>
  typeof plan === 'string' ? plan : plan.targets.map((t) => `${t.provider.id}:${t.upstreamModel}${t.reasoning ? JSON.stringify(t.reasoning) : ''}`);

describe('Router.plan', () => {
  const router = new Router(
    [provider('a', ['m1', { name: 'fast', upstream: 'gpt-4o-mini' }, 'org/model']), provider('b', ['m1', 'm2']), provider('c', ['m3'])],
    { m2: ['m3', 'nope', 'a/fast'], fast: ['m3'] },
  );

  it('serves a model from every provider that lists it, in config order', () => {
    expect(summary(router.plan('m1'))).toEqual(['a:m1', 'b:m1']);
  });

  it('resolves aliases to the upstream name', () => {
    expect(summary(router.plan('fast'))).toEqual(['a:gpt-4o-mini', 'c:m3']);
  });

  it('pins a provider with a prefix, but only when the prefix is a provider id', () => {
    expect(summary(router.plan('b/m1'))).toEqual(['b:m1']);
    expect(summary(router.plan('org/model'))).toEqual(['a:org/model']);
    expect(summary(router.plan('c/m1'))).toBe('unknown_model');
  });

  it('appends fallback chains, skipping unknown fallbacks', () => {
    expect(summary(router.plan('m2'))).toEqual(['b:m2', 'c:m3', 'a:gpt-4o-mini']);
  });

  it('carries thinking suffixes to the targets', () => {
    expect(summary(router.plan('m1(high)'))).toEqual(['a:m1{"effort":"high"}', 'b:m1{"effort":"high"}']);
    expect(summary(router.plan('a/fast(16384)'))).toEqual(['a:gpt-4o-mini{"budgetTokens":16384}']);
    expect(summary(router.plan('fast(low)'))).toEqual(['a:gpt-4o-mini{"effort":"low"}', 'c:m3']);
    expect(router.plan('m1(wild)')).toBe('bad_suffix');
  });

  it('lists client-visible names, aliases included', () => {
    expect(router.models()).toEqual([
      { id: 'm1', providerId: 'a' },
      { id: 'fast', providerId: 'a' },
      { id: 'org/model', providerId: 'a' },
      { id: 'm2', providerId: 'b' },
      { id: 'm3', providerId: 'c' },
    ]);
  });

  it('names credentials <provider>#<index> unless configured', () => {
    const r = new Router([{ ...provider('p', ['m'], ['k0', 'k1']), credentials: [{ apiKey: 'k0', weight: 1 }, { id: 'main', apiKey: 'k1', weight: 1 }] }]);
    expect(r.providers()[0]?.pool.members.map((c) => c.id)).toEqual(['p#0', 'main']);
  });
});
