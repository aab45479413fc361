import { describe, expect, it } from 'vitest';
import { canonicalJson, normaliseEvent, recordLine, sealRecord } from './audit-record.ts';

const base = { type: 'provider_request', actor: 'key:k', outcome: 'success' } as const;

describe('normaliseEvent', () => {
  it('keeps flat details as JSON would: undefined members dropped, values unchanged', () => {
    const event = normaliseEvent({ ...base, details: { status: 200, model: 'm', gone: undefined, ok: true, none: null } });
    expect(event.details).toEqual({ status: 200, model: 'm', ok: true, none: null });
    expect(Object.keys(event.details ?? {})).not.toContain('gone');
  });

  it('gives nested, non-finite and odd values the JSON treatment', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    const event = normaliseEvent({ ...base, details: { when, ratio: Number.NaN, nested: { a: [1, undefined] } } });
    expect(event.details).toEqual({ when: '2026-01-02T03:04:05.000Z', ratio: null, nested: { a: [1, null] } });
  });

  it('keeps a __proto__ member as data, never as a prototype', () => {
    const details = JSON.parse('{"__proto__": "x", "a": 1}') as Record<string, unknown>;
    const event = normaliseEvent({ ...base, details });
    expect(canonicalJson(event.details)).toBe('{"__proto__":"x","a":1}');
    expect(Object.getPrototypeOf(event.details)).toBe(Object.prototype);
  });

  it('replaces details too large to keep by a marker', () => {
    const event = normaliseEvent({ ...base, details: { text: 'x'.repeat(20_000) } });
    expect(event.details).toMatchObject({ detailsOmitted: 'too_large' });
  });
});

describe('sealRecord', () => {
  it('writes the line as the hashed text plus the hash, identical to a fresh serialisation', () => {
    const record = sealRecord(normaliseEvent({ ...base, details: { b: 2, a: 1 } }), 7, '0'.repeat(64), new Date('2026-01-01T00:00:00Z'));
    const line = recordLine(record);
    // A copy has no cached text: serialised from scratch, it must be byte-identical.
    expect(recordLine({ ...record })).toBe(line);
    expect(line).toContain('"details":{"a":1,"b":2}');
    expect(line.endsWith(`"hash":"${record.hash}"}`)).toBe(true);
  });
});
