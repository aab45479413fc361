import { describe, expect, it } from 'vitest';
import { randomId, requestId } from './ids.ts';

describe('ids', () => {
  it('gives unique, header-safe request ids', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => requestId()));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^req_[A-Za-z0-9_-]+$/);
  });

  it('gives random prefixed ids', () => {
    expect(randomId('key')).toMatch(/^key_[0-9a-f]{24}$/);
    expect(randomId('key')).not.toBe(randomId('key'));
  });
});
