import { describe, expect, it } from 'vitest';
import { parseCount, parseExpiry, parseList } from './key-input.ts';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('key setting text forms', () => {
  it.each([
    ['30d', '2026-03-31T12:00:00.000Z'],
    ['12h', '2026-03-02T00:00:00.000Z'],
    ['2w', '2026-03-15T12:00:00.000Z'],
    [' 1h ', '2026-03-01T13:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z'],
    ['2026-12-31T18:30:00Z', '2026-12-31T18:30:00.000Z'],
    ['2026-12-31T18:30Z', '2026-12-31T18:30:00.000Z'],
    ['2026-12-31T18:30:00.250+02:00', '2026-12-31T16:30:00.250Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('reads expiry %j', (text, iso) => {
    expect(parseExpiry(text, NOW).toISOString()).toBe(iso);
  });

  it.each(['0d', '6m', '1y', '30', 'd', '-1d', '2026-02-30', '2026-13-01', '2027-02-29', '2026-12-31T18:30:00', '2026-12-31T25:00Z', 'tomorrow', '1e3h'])(
    'refuses expiry %j',
    (text) => {
      expect(() => parseExpiry(text, NOW)).toThrow(/must be (a duration like 30d|a positive duration)/);
    },
  );

  it('reads positive integers, digits only', () => {
    expect(parseCount('42')).toBe(42);
    expect(parseCount(' 7 ')).toBe(7);
    for (const bad of ['0', '-1', '1.5', '1e3', '0x10', '+5', '', 'ten', '12345678901234567']) expect(() => parseCount(bad), bad).toThrow(/not a positive integer/);
  });

  it('splits comma lists, from one flag or several, and refuses empty entries', () => {
    expect(parseList(['a, b*', 'c'])).toEqual(['a', 'b*', 'c']);
    expect(() => parseList(['a,,b'])).toThrow(/"a,,b" has an empty entry/);
    expect(() => parseList(['a,'])).toThrow(/empty entry/);
    expect(() => parseList([''])).toThrow(/empty entry/);
  });
});
