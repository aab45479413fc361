import { describe, expect, it } from 'vitest';
import { providerLimitsSchema, rateLimitsSchema } from './limits-schema.ts';

describe('rateLimitsSchema', () => {
  it('defaults to a per-address limit only', () => {
    expect(rateLimitsSchema.parse(undefined)).toEqual({ perIp: { enabled: true, rps: 50, burst: 100 } });
    expect(rateLimitsSchema.parse({})).toEqual({ perIp: { enabled: true, rps: 50, burst: 100 } });
  });

  it('reads every tier and lets the per-address limit be switched off', () => {
    const parsed = rateLimitsSchema.parse({
      global: { rps: 100, burst: 200 },
      perIp: { enabled: false },
      perKey: { rps: 5, burst: 10 },
      providerDefaults: { rpm: 500, tpm: 200_000 },
    });
    expect(parsed).toEqual({
      global: { rps: 100, burst: 200 },
      perIp: { enabled: false, rps: 50, burst: 100 },
      perKey: { rps: 5, burst: 10 },
      providerDefaults: { rpm: 500, tpm: 200_000 },
    });
  });

  it.each([
    ['a burst below rps', { perKey: { rps: 10, burst: 5 } }, 'perKey.burst'],
    ['a per-address burst below its rps', { perIp: { rps: 200 } }, 'perIp.burst'],
    ['rps 0', { global: { rps: 0, burst: 1 } }, 'global.rps'],
    ['a fractional burst', { global: { rps: 1, burst: 1.5 } }, 'global.burst'],
    ['a missing burst', { global: { rps: 1 } }, 'global.burst'],
    ['an unknown field', { perKey: { rps: 1, burst: 1, rpm: 5 } }, 'perKey'],
    ['an unknown tier', { perUser: { rps: 1, burst: 1 } }, ''],
    ['a negative tpm', { providerDefaults: { tpm: -1 } }, 'providerDefaults.tpm'],
  ])('refuses %s', (_name, input, path) => {
    const result = rateLimitsSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('providerLimitsSchema', () => {
  it('takes optional positive integer rpm and tpm, nothing else', () => {
    expect(providerLimitsSchema.parse({})).toEqual({});
    expect(providerLimitsSchema.parse({ rpm: 60, tpm: 90_000 })).toEqual({ rpm: 60, tpm: 90_000 });
    expect(providerLimitsSchema.safeParse({ rpm: 0 }).success).toBe(false);
    expect(providerLimitsSchema.safeParse({ rpd: 5 }).success).toBe(false);
  });
});
