import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage, TokenUsageStore } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { MonthlyQuota, type QuotaExceeded, type Reservation } from './monthly-quota.ts';
import { startOfNextUtcMonth, utcMonth } from './utc-month.ts';

/** Yields a random number of event-loop turns, so concurrent calls finish in a shuffled order. */
async function jitter(): Promise<void> {
  for (let turns = Math.floor(Math.random() * 6); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
}

/** An in-memory store whose calls take a random while; `gate` holds every write until it is opened. */
class SlowMemoryStore implements TokenUsageStore {
  readonly rows = new Map<string, number>();
  failAdds = false;
  gate: Promise<void> | undefined;
  async get(keyId: string, month: string): Promise<number> {
    await jitter();
    return this.rows.get(`${keyId}/${month}`) ?? 0;
  }
  async add(keyId: string, month: string, tokens: number): Promise<number> {
    await jitter();
    await this.gate;
    if (this.failAdds) throw new Error('disk full');
    const total = (this.rows.get(`${keyId}/${month}`) ?? 0) + tokens;
    this.rows.set(`${keyId}/${month}`, total);
    return total;
  }
}

const granted = (results: (Reservation | QuotaExceeded)[]): Reservation[] => results.filter((r): r is Reservation => !r.exceeded);
const JAN_31_LAST_SECOND = Date.parse('2026-01-31T23:59:59.000Z');

describe('MonthlyQuota', () => {
  let dir: string;
  let storage: Storage;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-quota-'));
    storage = await openSqliteStorage(dir);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('grants exactly 10 of 50 concurrent reservations of 100 against a quota of 1000 (SQLite, 20 rounds)', async () => {
    const quota = new MonthlyQuota({ store: storage.tokenUsage });
    for (let round = 0; round < 20; round++) {
      const results = await Promise.all(Array.from({ length: 50 }, () => quota.reserve(`key-${round}`, 1000, 100)));
      expect(granted(results)).toHaveLength(10);
      expect(results.filter((r) => r.exceeded)).toHaveLength(40);
    }
  });

  it('never overruns while reservations settle and new ones arrive at the same time', async () => {
    const store = new SlowMemoryStore();
    const quota = new MonthlyQuota({ store });
    for (let round = 0; round < 20; round++) {
      const key = `k${round}`;
      const first = granted(await Promise.all(Array.from({ length: 10 }, () => quota.reserve(key, 1000, 100))));
      expect(first).toHaveLength(10);
      // Every first request used its whole estimate: the quota is spent, so nothing racing the settles may pass.
      const [, late] = await Promise.all([
        Promise.all(first.map((r) => r.settle(100))),
        Promise.all(Array.from({ length: 10 }, () => quota.reserve(key, 1000, 100))),
      ]);
      expect(granted(late)).toHaveLength(0);
      expect(store.rows.get(`${key}/${utcMonth(Date.now())}`)).toBe(1000);
    }
  });

  it('does not admit a request while a settle is writing the usage that used the quota up', async () => {
    const store = new SlowMemoryStore();
    const quota = new MonthlyQuota({ store });
    const spent = await quota.reserve('k', 1000, 1000);
    if (spent.exceeded) throw new Error('refused');
    let open!: () => void;
    store.gate = new Promise((resolve) => {
      open = resolve;
    });
    const settling = spent.settle(1000);
    const racing = quota.reserve('k', 1000, 1);
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    open();
    await settling;
    expect(await racing).toMatchObject({ exceeded: true, reason: 'quota', used: 1000 });
  });

  it('returns the unused part of an estimate when the request settles below it', async () => {
    const quota = new MonthlyQuota({ store: storage.tokenUsage });
    const reservation = await quota.reserve('k', 1000, 700);
    if (reservation.exceeded) throw new Error('refused');
    expect((await quota.reserve('k', 1000, 400)).exceeded).toBe(true);
    await reservation.settle(250);
    await reservation.settle(999); // only the first settle counts
    expect(await quota.usage('k')).toMatchObject({ used: 250, held: 0 });
    expect((await quota.reserve('k', 1000, 750)).exceeded).toBe(false);
    expect((await quota.reserve('k', 1000, 1)).exceeded).toBe(true);
  });

  it('frees a released hold without charging anything', async () => {
    const quota = new MonthlyQuota({ store: storage.tokenUsage });
    const reservation = await quota.reserve('k', 100, 100);
    if (reservation.exceeded) throw new Error('refused');
    await reservation.release();
    await reservation.settle(100); // after release: ignored
    expect(await quota.usage('k')).toMatchObject({ used: 0, held: 0 });
    expect((await quota.reserve('k', 100, 100)).exceeded).toBe(false);
  });

  it('keeps the month usage across a restart', async () => {
    const before = new MonthlyQuota({ store: storage.tokenUsage });
    const reservation = await before.reserve('k', 1000, 400);
    if (reservation.exceeded) throw new Error('refused');
    await reservation.settle(300);
    await storage.close();
    storage = await openSqliteStorage(dir);
    const after = new MonthlyQuota({ store: storage.tokenUsage });
    expect(await after.usage('k')).toMatchObject({ used: 300, held: 0 });
    expect(await after.reserve('k', 1000, 800)).toMatchObject({ exceeded: true, reason: 'quota', used: 300 });
    expect((await after.reserve('k', 1000, 700)).exceeded).toBe(false);
  });

  it('starts afresh in a new UTC month and charges a request to the month it started in', async () => {
    let now = JAN_31_LAST_SECOND;
    const quota = new MonthlyQuota({ store: storage.tokenUsage, now: () => now });
    const spanning = await quota.reserve('k', 1000, 600);
    if (spanning.exceeded) throw new Error('refused');
    const refused = await quota.reserve('k', 1000, 500);
    expect(refused).toMatchObject({ exceeded: true, reason: 'in_flight', retryAfterSeconds: 1 });
    now = Date.parse('2026-02-01T00:00:00.000Z');
    await spanning.settle(600);
    expect(await storage.tokenUsage.get('k', '2026-01')).toBe(600);
    expect(await quota.usage('k')).toEqual({ month: '2026-02', used: 0, held: 0 });
    expect((await quota.reserve('k', 1000, 1000)).exceeded).toBe(false);
  });

  it('tells a spent key to come back when the next month starts', async () => {
    const now = JAN_31_LAST_SECOND - 3600_000;
    const quota = new MonthlyQuota({ store: storage.tokenUsage, now: () => now });
    await storage.tokenUsage.add('k', '2026-01', 990);
    expect(await quota.reserve('k', 1000, 20)).toEqual({
      exceeded: true,
      reason: 'quota',
      retryAfterSeconds: 3601,
      limit: 1000,
      used: 990,
      held: 0,
    });
  });

  it('records usage without refusing when the key has no quota', async () => {
    const quota = new MonthlyQuota({ store: storage.tokenUsage });
    const reservation = await quota.reserve('k', null, 1e9);
    if (reservation.exceeded) throw new Error('refused');
    await reservation.settle(1234.2);
    expect(await quota.usage('k')).toMatchObject({ used: 1235 });
  });

  it('stops counting a hold nobody settled once it is older than the hold TTL', async () => {
    let now = Date.parse('2026-03-10T12:00:00Z');
    const quota = new MonthlyQuota({ store: storage.tokenUsage, now: () => now, holdTtlMs: 60_000 });
    expect((await quota.reserve('k', 100, 100)).exceeded).toBe(false);
    expect((await quota.reserve('k', 100, 1)).exceeded).toBe(true);
    now += 60_000;
    expect((await quota.reserve('k', 100, 100)).exceeded).toBe(false);
  });

  it('keeps counting usage the store failed to record, and says so', async () => {
    const store = new SlowMemoryStore();
    const quota = new MonthlyQuota({ store });
    const reservation = await quota.reserve('k', 1000, 100);
    if (reservation.exceeded) throw new Error('refused');
    store.failAdds = true;
    await expect(reservation.settle(400)).rejects.toThrow('disk full');
    expect(await quota.usage('k')).toMatchObject({ used: 0, held: 400 });
    expect((await quota.reserve('k', 1000, 601)).exceeded).toBe(true);
  });

  it('refuses nonsense arguments', async () => {
    const quota = new MonthlyQuota({ store: storage.tokenUsage });
    await expect(quota.reserve('k', 10, Number.NaN)).rejects.toThrow(RangeError);
    await expect(quota.reserve('k', -1, 1)).rejects.toThrow(RangeError);
    expect(() => new MonthlyQuota({ store: storage.tokenUsage, holdTtlMs: 0 })).toThrow(RangeError);
  });
});

describe('utcMonth', () => {
  it('names the UTC month, whatever the local time zone says', () => {
    expect(utcMonth(Date.parse('2026-01-31T23:59:59.999Z'))).toBe('2026-01');
    expect(utcMonth(Date.parse('2026-02-01T00:00:00.000Z'))).toBe('2026-02');
    expect(utcMonth(Date.parse('2026-12-31T23:30:00-05:00'))).toBe('2027-01');
  });
  it('finds the start of the next month, across a year end', () => {
    expect(startOfNextUtcMonth(Date.parse('2026-12-15T10:00:00Z'))).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(startOfNextUtcMonth(Date.parse('2026-02-01T00:00:00Z'))).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });
});
