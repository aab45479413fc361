import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LimiterBackend, type LimitResult, RateLimiter, type WindowOptions, windowOf } from './rate-limiter.ts';

const okCount = (results: LimitResult[]): number => results.filter((r) => r.ok).length;

describe('RateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits exactly the burst when 300 consumes race against a burst of 100 (20 fresh limiters)', async () => {
    for (let round = 0; round < 20; round++) {
      const limiter = RateLimiter.fromRate({ rps: 1, burst: 100 }, `exact-${round}`);
      const results = await Promise.all(Array.from({ length: 300 }, () => limiter.consume('client')));
      expect(okCount(results)).toBe(100);
      // Each admitted consume saw its own remaining count: nothing was admitted twice on the same point.
      const remaining = results.flatMap((r) => (r.ok ? [r.remaining] : [])).sort((a, b) => a - b);
      expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
      for (const refused of results.filter((r) => !r.ok)) {
        expect(refused).toMatchObject({ ok: false, limit: 100 });
        if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(0);
      }
    }
  });

  it('counts each key on its own', async () => {
    const limiter = RateLimiter.fromRate({ rps: 1, burst: 2 }, 'keys');
    const a = await Promise.all([1, 2, 3].map(() => limiter.consume('a')));
    const b = await Promise.all([1, 2, 3].map(() => limiter.consume('b')));
    expect([okCount(a), okCount(b)]).toEqual([2, 2]);
  });

  it('refills after the window and tells a refused caller how long to wait', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const limiter = RateLimiter.fromRate({ rps: 1, burst: 2 }, 'refill');
    expect((await limiter.consume('k')).ok).toBe(true);
    vi.advanceTimersByTime(500);
    expect((await limiter.consume('k')).ok).toBe(true);
    const refused = await limiter.consume('k');
    expect(refused).toEqual({ ok: false, retryAfterMs: 1500, limit: 2 });
    vi.advanceTimersByTime(1499);
    expect((await limiter.consume('k')).ok).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await limiter.consume('k')).toMatchObject({ ok: true, remaining: 1, limit: 2, resetMs: 2000 });
  });

  it('gives back the points of a refused multi-point consume, so smaller ones that fit still pass', async () => {
    const limiter = new RateLimiter({ points: 10, windowSeconds: 60, keyPrefix: 'multi' });
    expect((await limiter.consume('k', 8)).ok).toBe(true);
    expect((await limiter.consume('k', 5)).ok).toBe(false);
    expect(await limiter.consume('k', 2)).toMatchObject({ ok: true, remaining: 0 });
    expect((await limiter.consume('k', 1)).ok).toBe(false);
  });

  it('refuses more than a whole window without spending anything', async () => {
    const limiter = new RateLimiter({ points: 10, windowSeconds: 60, keyPrefix: 'huge' });
    expect(await limiter.consume('k', 11)).toEqual({ ok: false, retryAfterMs: 60_000, limit: 10 });
    expect(await limiter.consume('k', 10)).toMatchObject({ ok: true, remaining: 0 });
  });

  it('refunds into the same window only, never into one that may have started since', async () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ points: 2, windowSeconds: 10, keyPrefix: 'refund', now: () => now });
    const first = await limiter.consume('k');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(await limiter.refund('k', 1, first.windowEndsAt)).toBe(true);
    now = first.windowEndsAt - 100; // inside the safety margin: the window may end before the refund lands
    expect(await limiter.refund('k', 1, first.windowEndsAt)).toBe(false);
  });

  it('charges spent points without refusing', async () => {
    const limiter = new RateLimiter({ points: 10, windowSeconds: 60, keyPrefix: 'charge' });
    await limiter.charge('k', 9);
    expect(await limiter.consume('k')).toMatchObject({ ok: true, remaining: 0 });
    expect((await limiter.consume('k')).ok).toBe(false);
  });

  it('hands the backend whole-second windows (RateLimiterRedis floors durations to seconds)', () => {
    const seen: WindowOptions[] = [];
    const backend: LimiterBackend = (options) => {
      seen.push(options);
      return new RateLimiterMemory(options);
    };
    RateLimiter.fromRate({ rps: 3, burst: 10 }, 'spy', backend);
    expect(seen).toEqual([{ keyPrefix: 'spy', points: 10, duration: 4 }]);
  });

  it("propagates a store failure instead of reading it as a refusal", async () => {
    const backend: LimiterBackend = (options) => {
      const store = new RateLimiterMemory(options);
      store.consume = () => Promise.reject(new Error('store down'));
      return store;
    };
    const limiter = new RateLimiter({ points: 1, windowSeconds: 1, keyPrefix: 'down', backend });
    await expect(limiter.consume('k')).rejects.toThrow('store down');
  });

  it('refuses nonsense options at construction', () => {
    expect(() => new RateLimiter({ points: 0, windowSeconds: 1, keyPrefix: 'x' })).toThrow(RangeError);
    expect(() => new RateLimiter({ points: 1, windowSeconds: 0.5, keyPrefix: 'x' })).toThrow(RangeError);
    expect(() => RateLimiter.fromRate({ rps: 0, burst: 1 }, 'x')).toThrow(RangeError);
  });
});

describe('windowOf', () => {
  it('keeps the burst exact and the average at or below rps', () => {
    expect(windowOf({ rps: 50, burst: 100 })).toEqual({ points: 100, windowSeconds: 2 });
    expect(windowOf({ rps: 1, burst: 1 })).toEqual({ points: 1, windowSeconds: 1 });
    expect(windowOf({ rps: 3, burst: 10 })).toEqual({ points: 10, windowSeconds: 4 });
    // Below one second's worth a whole-second window cannot hold the burst: it is raised to rps.
    expect(windowOf({ rps: 100, burst: 10 })).toEqual({ points: 100, windowSeconds: 1 });
    for (let rps = 1; rps <= 40; rps++) {
      for (let burst = rps; burst <= 120; burst++) {
        const { points, windowSeconds } = windowOf({ rps, burst });
        expect(points).toBe(burst);
        expect(points / windowSeconds).toBeLessThanOrEqual(rps);
        expect(points / windowSeconds).toBeGreaterThan(rps / 2);
      }
    }
  });
});
