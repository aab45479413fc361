import { describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../config/schema.ts';
import { Router } from './router.ts';

const timeouts = { connectMs: 1000, headersMs: 1000, idleMs: 1000 };
const provider = (id: string, models: string[], keys: string[]): ProviderConfig => ({
  id,
  type: 'openai-compatible',
  baseUrl: `http://127.0.0.1:9/${id}`,
  credentials: keys.map((apiKey) => ({ apiKey })),
  models,
  timeouts,
});

describe('Router', () => {
  it('spreads requests over a provider’s credentials in turn', () => {
    const router = new Router([provider('a', ['m'], ['k1', 'k2', 'k3'])]);
    const used = Array.from({ length: 6 }, () => router.resolve('m')?.target.credential.apiKey);
    expect(used).toEqual(['k1', 'k2', 'k3', 'k1', 'k2', 'k3']);
  });

  it('routes a model to the first provider that lists it, and nothing for unknown models', () => {
    const router = new Router([provider('a', ['m1'], ['ka']), provider('b', ['m1', 'm2'], ['kb'])]);
    expect(router.resolve('m1')?.provider.id).toBe('a');
    expect(router.resolve('m2')?.provider.id).toBe('b');
    expect(router.resolve('m2')?.target).toEqual({ baseUrl: 'http://127.0.0.1:9/b', credential: { id: 'b#0', apiKey: 'kb' } });
    expect(router.resolve('nope')).toBeUndefined();
    expect(router.models()).toEqual([
      { id: 'm1', providerId: 'a' },
      { id: 'm2', providerId: 'b' },
    ]);
  });
});
