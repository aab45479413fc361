import { describe, expect, it } from 'vitest';
import { RampartError } from '../errors/catalogue.ts';
import { MemoryCooldownStore } from '../storage/memory/memory-cooldown-store.ts';
import { DEFAULT_COOLDOWN_SETTINGS, CooldownTracker } from './cooldowns.ts';
import { runWithFailover } from './failover.ts';
import { Router } from './router.ts';

const router = new Router([
  {
    id: 'p',
    type: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9/v1',
    allowPrivateNetwork: true,
    policy: 'fill-first',
    credentials: ['k0', 'k1', 'k2', 'k3'].map((apiKey) => ({ apiKey, weight: 1 })),
    models: ['m'],
    timeouts: { connectMs: 1000, headersMs: 1000, idleMs: 1000 },
  },
]);
const plan = router.plan('m');
if (typeof plan === 'string') throw new Error('no plan');

function setup() {
  return new CooldownTracker(new MemoryCooldownStore(), DEFAULT_COOLDOWN_SETTINGS);
}

describe('runWithFailover', () => {
  it('moves to the next credential on retryable failures, within the retry budget', async () => {
    const cooldowns = setup();
    const tried: string[] = [];
    const error = await runWithFailover({
      plan,
      cooldowns,
      retries: 2,
      jitterMs: 0,
      signal: new AbortController().signal,
      attempt: (_t, c) => {
        tried.push(c.id);
        return Promise.reject(new RampartError('RAMPART_UPSTREAM_ERROR'));
      },
    }).catch((e: unknown) => e);
    expect(tried).toEqual(['p#0', 'p#1', 'p#2']);
    expect((error as RampartError).code).toBe('RAMPART_UPSTREAM_ERROR');
    expect(cooldowns.check('p#0', 'm')).toBeDefined();
    expect(cooldowns.check('p#3', 'm')).toBeUndefined();
  });

  it('stops at once on a client error and does not cool the credential', async () => {
    const cooldowns = setup();
    let calls = 0;
    const error = await runWithFailover({
      plan,
      cooldowns,
      retries: 3,
      jitterMs: 0,
      signal: new AbortController().signal,
      attempt: () => {
        calls++;
        return Promise.reject(new RampartError('RAMPART_UPSTREAM_BAD_REQUEST'));
      },
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as RampartError).code).toBe('RAMPART_UPSTREAM_BAD_REQUEST');
    expect(cooldowns.list()).toEqual([]);
  });

  it('cools a credential whose stream failed after the first byte, without retrying', async () => {
    const cooldowns = setup();
    let calls = 0;
    const value = await runWithFailover({
      plan,
      cooldowns,
      retries: 3,
      jitterMs: 0,
      signal: new AbortController().signal,
      attempt: () => {
        calls++;
        return Promise.resolve({ value: 'sent', lateFailure: new RampartError('RAMPART_UPSTREAM_STREAM_INTERRUPTED') });
      },
    });
    expect(value).toBe('sent');
    expect(calls).toBe(1);
    expect(cooldowns.list().map((r) => [r.credentialId, r.kind])).toEqual([['p#0', 'network']]);
  });

  it('answers 429 with the soonest recovery when every credential is rate limited', async () => {
    const cooldowns = setup();
    for (const [i, seconds] of [[0, 30], [1, 12], [2, 50], [3, 20]] as const) cooldowns.recordFailure(`p#${i}`, 'm', 'rate_limited', seconds);
    const error = (await runWithFailover({ plan, cooldowns, retries: 2, jitterMs: 0, signal: new AbortController().signal, attempt: () => Promise.reject(new Error('never')) }).catch((e: unknown) => e)) as RampartError;
    expect(error.code).toBe('RAMPART_POOL_RATE_LIMITED');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(12);
  });

  it('answers 503 when the soonest recovery is not a rate limit', async () => {
    const cooldowns = setup();
    for (let i = 0; i < 4; i++) cooldowns.recordFailure(`p#${i}`, 'm', i === 0 ? 'server_error' : 'auth');
    const error = (await runWithFailover({ plan, cooldowns, retries: 2, jitterMs: 0, signal: new AbortController().signal, attempt: () => Promise.reject(new Error('never')) }).catch((e: unknown) => e)) as RampartError;
    expect(error.code).toBe('RAMPART_NO_CREDENTIAL');
    expect(error.retryAfterSeconds).toBe(60);
  });
});
