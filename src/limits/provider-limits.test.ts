import { describe, expect, it } from 'vitest';
import { ProviderLimits, UNLIMITED } from './provider-limits.ts';
import type { LimitResult } from './rate-limiter.ts';

const okCount = (results: { ok: boolean }[]): number => results.filter((r) => r.ok).length;

describe('ProviderLimits', () => {
  it('refuses requests above the RPM, exactly, however many race', async () => {
    const limits = new ProviderLimits({ providers: { openai: { rpm: 5 } } });
    const results = await Promise.all(Array.from({ length: 300 }, () => limits.tryRequest('openai')));
    expect(okCount(results)).toBe(5);
    const refused = results.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false, limit: 5 });
    if (refused !== undefined && !refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('refuses tokens above the TPM, exactly, however many race', async () => {
    const limits = new ProviderLimits({ providers: { claude: { tpm: 1000 } } });
    const results = await Promise.all(Array.from({ length: 50 }, () => limits.tryTokens('claude', 100)));
    expect(okCount(results)).toBe(10);
  });

  it('keeps the leftover of a minute usable after refusing a request that does not fit', async () => {
    const limits = new ProviderLimits({ providers: { claude: { tpm: 1000 } } });
    expect((await limits.tryTokens('claude', 600)).ok).toBe(true);
    expect((await limits.tryTokens('claude', 600)).ok).toBe(false);
    expect((await limits.tryTokens('claude', 400)).ok).toBe(true);
    expect((await limits.tryTokens('claude', 1)).ok).toBe(false);
    expect((await limits.tryTokens('claude', 5000)).ok).toBe(false);
  });

  it('counts each provider on its own and applies the defaults field by field', async () => {
    const limits = new ProviderLimits({ defaults: { rpm: 2, tpm: 50 }, providers: { own: { rpm: 3 } } });
    const count = async (id: string, n: number, f: (id: string) => Promise<LimitResult>): Promise<number> =>
      okCount(await Promise.all(Array.from({ length: n }, () => f(id))));
    expect(await count('own', 10, (id) => limits.tryRequest(id))).toBe(3);
    expect(await count('own', 10, (id) => limits.tryTokens(id, 10))).toBe(5);
    expect(await count('unlisted-a', 10, (id) => limits.tryRequest(id))).toBe(2);
    expect(await count('unlisted-b', 10, (id) => limits.tryRequest(id))).toBe(2);
  });

  it('admits everything for a provider without limits', async () => {
    const limits = new ProviderLimits({ providers: { free: {} } });
    expect(await limits.tryRequest('free')).toBe(UNLIMITED);
    expect(await limits.tryTokens('free', 1e9)).toBe(UNLIMITED);
    expect((await limits.tryAttempt('free', 1e9)).ok).toBe(true);
  });

  it('gives the request back to the RPM when the TPM refuses the attempt', async () => {
    const limits = new ProviderLimits({ providers: { p: { rpm: 2, tpm: 100 } } });
    expect((await limits.tryAttempt('p', 80)).ok).toBe(true);
    expect(await limits.tryAttempt('p', 80)).toMatchObject({ ok: false, limitedBy: 'tpm', limit: 100 });
    expect((await limits.tryAttempt('p', 10)).ok).toBe(true);
    expect(await limits.tryAttempt('p', 1)).toMatchObject({ ok: false, limitedBy: 'rpm', limit: 2 });
  });

  it('settles an attempt: unused estimate comes back, usage above it is charged, once', async () => {
    const limits = new ProviderLimits({ providers: { p: { tpm: 1000 } } });
    const first = await limits.tryAttempt('p', 500);
    if (!first.ok) throw new Error('first attempt refused');
    await first.settle(100);
    await first.settle(0); // a second settle must not refund again
    expect((await limits.tryAttempt('p', 900)).ok).toBe(true);
    expect((await limits.tryTokens('p', 1)).ok).toBe(false);

    const other = new ProviderLimits({ providers: { p: { tpm: 1000 } } });
    const over = await other.tryAttempt('p', 100);
    if (!over.ok) throw new Error('attempt refused');
    await over.settle(950);
    expect((await other.tryTokens('p', 100)).ok).toBe(false);
    expect((await other.tryTokens('p', 50)).ok).toBe(true);
  });

  it('refuses bad limits at boot and bad token counts per call', async () => {
    expect(() => new ProviderLimits({ providers: { p: { rpm: 0 } } })).toThrow(RangeError);
    expect(() => new ProviderLimits({ defaults: { tpm: 1.5 } })).toThrow(RangeError);
    const limits = new ProviderLimits({ providers: { p: { tpm: 10 } } });
    await expect(limits.tryTokens('p', Number.NaN)).rejects.toThrow(RangeError);
    await expect(limits.tryTokens('p', -1)).rejects.toThrow(RangeError);
    await expect(limits.tryAttempt('p', Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
  });
});
