import { describe, expect, it } from 'vitest';
import { isSelectionPolicy } from './policies.ts';
import { CredentialPool, type PoolMember } from './pool.ts';

type Cred = PoolMember & { apiKey: string };

const creds = (...weights: number[]): Cred[] => weights.map((weight, i) => ({ id: `p#${i}`, weight, apiKey: `k${i}` }));
const all = (): boolean => true;
const except =
  (...ids: string[]) =>
  (c: Cred): boolean =>
    !ids.includes(c.id);

/** Picks `n` times and counts how often each credential came first. */
function countPicks(pool: CredentialPool<Cred>, n: number, isEligible: (c: Cred) => boolean = all): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pool.candidates(isEligible)[0]?.id ?? 'none';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

const pickIds = (pool: CredentialPool<Cred>, n: number, isEligible: (c: Cred) => boolean = all): string[] =>
  Array.from({ length: n }, () => pool.candidates(isEligible)[0]?.id ?? 'none');

describe('CredentialPool round-robin', () => {
  it('rotates picks evenly and lists the others as failover in turn', () => {
    const pool = new CredentialPool(creds(1, 1, 1));
    expect(pool.policy).toBe('round-robin');
    expect(pool.candidates(all).map((c) => c.id)).toEqual(['p#0', 'p#1', 'p#2']);
    expect(pool.candidates(all).map((c) => c.id)).toEqual(['p#1', 'p#2', 'p#0']);
    expect(pool.candidates(all).map((c) => c.id)).toEqual(['p#2', 'p#0', 'p#1']);
    expect(countPicks(pool, 300)).toEqual({ 'p#0': 100, 'p#1': 100, 'p#2': 100 });
  });

  it('skips a cooling credential and shares its turns among the others', () => {
    const pool = new CredentialPool(creds(1, 1, 1), 'round-robin');
    expect(pickIds(pool, 4, except('p#1'))).toEqual(['p#0', 'p#2', 'p#0', 'p#2']);
    expect(pool.candidates(except('p#1')).map((c) => c.id)).toEqual(['p#0', 'p#2']);
    // It rejoins the rotation where the cursor stands, without a burst.
    expect(pickIds(pool, 3)).toEqual(['p#1', 'p#2', 'p#0']);
    expect(countPicks(pool, 200, except('p#0'))).toEqual({ 'p#1': 100, 'p#2': 100 });
  });
});

describe('CredentialPool fill-first', () => {
  it('sends everything to the first eligible credential, in config order', () => {
    const pool = new CredentialPool(creds(1, 5, 1), 'fill-first');
    expect(countPicks(pool, 50)).toEqual({ 'p#0': 50 });
    expect(pool.candidates(all).map((c) => c.id)).toEqual(['p#0', 'p#1', 'p#2']);
    expect(countPicks(pool, 50, except('p#0'))).toEqual({ 'p#1': 50 });
    expect(pool.candidates(except('p#1')).map((c) => c.id)).toEqual(['p#0', 'p#2']);
  });
});

describe('CredentialPool weighted', () => {
  it('follows the smooth weighted sequence of nginx', () => {
    const pool = new CredentialPool(creds(5, 1, 1), 'weighted');
    expect(pickIds(pool, 7)).toEqual(['p#0', 'p#0', 'p#1', 'p#0', 'p#2', 'p#0', 'p#0']);
  });

  it('gives each credential exactly its weight share', () => {
    const pool = new CredentialPool(creds(3, 2, 1), 'weighted');
    expect(countPicks(pool, 600)).toEqual({ 'p#0': 300, 'p#1': 200, 'p#2': 100 });
  });

  it('redistributes over the eligible ones while one cools, and takes it back without a catch-up burst', () => {
    const pool = new CredentialPool(creds(3, 2, 1), 'weighted');
    expect(pickIds(pool, 6)).toEqual(['p#0', 'p#1', 'p#0', 'p#2', 'p#1', 'p#0']);
    expect(countPicks(pool, 300, except('p#0'))).toEqual({ 'p#1': 200, 'p#2': 100 });
    expect(pickIds(pool, 6)).toEqual(['p#0', 'p#1', 'p#0', 'p#2', 'p#1', 'p#0']);
  });

  it('orders the failover by current weight after the pick', () => {
    const pool = new CredentialPool(creds(1, 4, 2), 'weighted');
    const order = pool.candidates(all).map((c) => c.id);
    expect(order).toEqual(['p#1', 'p#2', 'p#0']);
  });
});

describe('CredentialPool affinity', () => {
  const keys = Array.from({ length: 3000 }, (_, i) => `session-${i}`);

  it('keeps a key on the same credential regardless of the rotation', () => {
    const pool = new CredentialPool(creds(1, 1, 1));
    const first = keys.slice(0, 50).map((k) => pool.candidates(all, k)[0]?.id);
    pool.candidates(all);
    pool.candidates(all);
    const again = keys.slice(0, 50).map((k) => pool.candidates(all, k)[0]?.id);
    expect(again).toEqual(first);
    // Affinity picks do not move the round-robin cursor.
    expect(pool.candidates(all)[0]?.id).toBe('p#2');
  });

  it('spreads keys over credentials', () => {
    const pool = new CredentialPool(creds(1, 1, 1));
    const counts: Record<string, number> = {};
    for (const k of keys) {
      const id = pool.candidates(all, k)[0]?.id ?? 'none';
      counts[id] = (counts[id] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['p#0', 'p#1', 'p#2']);
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(850);
  });

  it('spreads keys by weight under the weighted policy', () => {
    const pool = new CredentialPool(creds(3, 1), 'weighted');
    const onHeavy = keys.filter((k) => pool.candidates(all, k)[0]?.id === 'p#0').length;
    expect(onHeavy / keys.length).toBeGreaterThan(0.7);
    expect(onHeavy / keys.length).toBeLessThan(0.8);
  });

  it('fails over to the key’s next favourite and moves only the keys of the cooling credential', () => {
    const pool = new CredentialPool(creds(1, 1, 1, 1));
    let moved = 0;
    for (const k of keys.slice(0, 500)) {
      const ranked = pool.candidates(all, k).map((c) => c.id);
      expect(ranked).toHaveLength(4);
      const [favourite = '', second] = ranked;
      const without = pool.candidates(except(favourite), k).map((c) => c.id);
      expect(without).toEqual(ranked.slice(1));
      expect(without[0]).toBe(second);
      // Cooling p#0 leaves every key that did not favour it where it was.
      const pick = pool.candidates(except('p#0'), k)[0]?.id;
      if (favourite === 'p#0') moved++;
      else expect(pick).toBe(favourite);
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('treats an empty affinity key as none', () => {
    const pool = new CredentialPool(creds(1, 1));
    expect([pool.candidates(all, '')[0]?.id, pool.candidates(all, '')[0]?.id]).toEqual(['p#0', 'p#1']);
  });
});

describe('CredentialPool edges', () => {
  it('returns nothing when nothing is eligible, and no credentials for an empty pool', () => {
    expect(new CredentialPool(creds(1, 1)).candidates(() => false)).toEqual([]);
    expect(new CredentialPool(creds(1, 1)).candidates(() => false, 'key')).toEqual([]);
    expect(new CredentialPool<Cred>([], 'weighted').candidates(all)).toEqual([]);
  });

  it('hands back the caller’s objects, secrets included', () => {
    const members = creds(1);
    expect(new CredentialPool(members).candidates(all)[0]).toBe(members[0]);
  });

  it('refuses duplicate ids and non-positive weights at construction', () => {
    expect(() => new CredentialPool([...creds(1), ...creds(1)])).toThrow(/appears twice/);
    expect(() => new CredentialPool(creds(1, 0))).toThrow(/weight 0/);
    expect(() => new CredentialPool(creds(Number.NaN))).toThrow(/weights must be positive/);
  });

  it('recognises policy names', () => {
    expect(['round-robin', 'fill-first', 'weighted', 'random', 3].map(isSelectionPolicy)).toEqual([true, true, true, false, false]);
  });
});
