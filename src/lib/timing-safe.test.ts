import { describe, expect, it } from 'vitest';
import { timingSafeEqualString } from './timing-safe.ts';

describe('timingSafeEqualString', () => {
  it('is true only for identical strings', () => {
    expect(timingSafeEqualString('abc123', 'abc123')).toBe(true);
    expect(timingSafeEqualString('abc123', 'abc124')).toBe(false);
    expect(timingSafeEqualString('abc123', 'abc1234')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
    expect(timingSafeEqualString('é', 'e')).toBe(false);
  });
});
