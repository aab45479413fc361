import { describe, expect, it } from 'vitest';
import type { TokenUsageStore } from '../storage/ports.ts';
import { BufferedTokenUsage } from './buffered-token-usage.ts';

class CountingStore implements TokenUsageStore {
  readonly rows = new Map<string, number>();
  gets = 0;
  adds = 0;
  failNext = false;
  get(keyId: string, month: string) {
    this.gets++;
    return Promise.resolve(this.rows.get(`${keyId}/${month}`) ?? 0);
  }
  add(keyId: string, month: string, tokens: number) {
    this.adds++;
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    const total = (this.rows.get(`${keyId}/${month}`) ?? 0) + tokens;
    this.rows.set(`${keyId}/${month}`, total);
    return Promise.resolve(total);
  }
}

describe('BufferedTokenUsage', () => {
  it('serves totals from memory and writes increments in one batch', async () => {
    const store = new CountingStore();
    store.rows.set('k/2026-11', 100);
    const usage = new BufferedTokenUsage(store, { flushMs: 60_000 });
    const totals = await Promise.all(Array.from({ length: 50 }, () => usage.add('k', '2026-11', 2)));
    expect(Math.max(...totals)).toBe(200);
    expect(await usage.get('k', '2026-11')).toBe(200);
    expect(store.gets).toBe(1);
    expect(store.adds).toBe(0);
    await usage.close();
    expect(store.adds).toBe(1);
    expect(store.rows.get('k/2026-11')).toBe(200);
  });

  it('keeps increments whose write failed for the next flush', async () => {
    const store = new CountingStore();
    const usage = new BufferedTokenUsage(store, { flushMs: 60_000 });
    await usage.add('k', '2026-11', 7);
    store.failNext = true;
    await expect(usage.flush()).rejects.toThrow('disk full');
    await usage.add('k', '2026-11', 3);
    await usage.close();
    expect(store.rows.get('k/2026-11')).toBe(10);
  });
});
