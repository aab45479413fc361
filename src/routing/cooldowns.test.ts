import { describe, expect, it } from 'vitest';
import type { CooldownRecord, CooldownStore } from '../storage/ports.ts';
import { ALL_MODELS, CooldownTracker, DEFAULT_COOLDOWN_SETTINGS, type CooldownSettings } from './cooldowns.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** An in-memory store that logs every call; `fail` makes writes reject, `gate` holds `list()` until released. */
class FakeStore implements CooldownStore {
  readonly rows = new Map<string, CooldownRecord>();
  readonly calls: string[] = [];
  fail = false;
  gate: Promise<void> | undefined;

  async list(): Promise<CooldownRecord[]> {
    this.calls.push('list');
    const snapshot = [...this.rows.values()].map((r) => ({ ...r }));
    if (this.gate) await this.gate;
    return snapshot;
  }
  upsert(record: CooldownRecord): Promise<void> {
    this.calls.push(`upsert ${record.credentialId} ${record.model}`);
    if (this.fail) return Promise.reject(new Error('disk full'));
    this.rows.set(`${record.credentialId}|${record.model}`, { ...record });
    return Promise.resolve();
  }
  remove(credentialId: string, model: string): Promise<void> {
    this.calls.push(`remove ${credentialId} ${model}`);
    if (this.fail) return Promise.reject(new Error('disk full'));
    this.rows.delete(`${credentialId}|${model}`);
    return Promise.resolve();
  }
  removeAll(prefix?: string): Promise<number> {
    this.calls.push(`removeAll ${prefix ?? ''}`);
    if (this.fail) return Promise.reject(new Error('disk full'));
    let n = 0;
    for (const [key, row] of this.rows) if (prefix === undefined || row.credentialId.startsWith(prefix)) n += this.rows.delete(key) ? 1 : 0;
    return Promise.resolve(n);
  }
}

function setup(settings: Partial<CooldownSettings> = {}) {
  const clock = { now: T0 };
  const store = new FakeStore();
  const errors: unknown[] = [];
  const make = () => new CooldownTracker(store, { ...DEFAULT_COOLDOWN_SETTINGS, ...settings }, () => clock.now, (e) => errors.push(e));
  return { clock, store, errors, tracker: make(), make };
}

describe('CooldownTracker durations', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_COOLDOWN_SETTINGS).toEqual({
      authMs: 30 * MINUTE,
      modelNotFoundMs: 30 * MINUTE,
      rateLimitMaxMs: 30 * MINUTE,
      rateLimitBaseMs: SECOND,
      serverErrorMs: MINUTE,
      networkMs: 5 * SECOND,
    });
  });

  it('cools the whole credential after an auth failure, and only the model after a 404', () => {
    const { tracker } = setup();
    expect(tracker.recordFailure('a#0', 'gpt-x', 'auth')).toBe(T0 + 30 * MINUTE);
    expect(tracker.check('a#0', 'gpt-x')).toBe(T0 + 30 * MINUTE);
    expect(tracker.check('a#0', 'other-model')).toBe(T0 + 30 * MINUTE);
    expect(tracker.list()).toEqual([{ credentialId: 'a#0', model: ALL_MODELS, until: new Date(T0 + 30 * MINUTE), kind: 'auth', failures: 1 }]);

    expect(tracker.recordFailure('b#0', 'gone', 'model_not_found')).toBe(T0 + 30 * MINUTE);
    expect(tracker.check('b#0', 'gone')).toBe(T0 + 30 * MINUTE);
    expect(tracker.check('b#0', 'other-model')).toBeUndefined();
    expect(tracker.check('c#0', 'gone')).toBeUndefined();
  });

  it('uses the configured durations for 5xx and network failures', () => {
    const { tracker } = setup({ serverErrorMs: 7 * SECOND, networkMs: 3 * SECOND });
    expect(tracker.recordFailure('a#0', 'm', 'server_error')).toBe(T0 + 7 * SECOND);
    expect(tracker.recordFailure('a#1', 'm', 'network')).toBe(T0 + 3 * SECOND);
  });

  it('reports the later of a credential-wide and a model cooldown', () => {
    const { tracker } = setup({ serverErrorMs: 2 * MINUTE, authMs: MINUTE });
    tracker.recordFailure('a#0', 'm', 'server_error');
    tracker.recordFailure('a#0', 'm', 'auth');
    expect(tracker.check('a#0', 'm')).toBe(T0 + 2 * MINUTE);
    expect(tracker.check('a#0', 'n')).toBe(T0 + MINUTE);
  });

  it('stops cooling once the time has passed', () => {
    const { tracker, clock } = setup();
    tracker.recordFailure('a#0', 'm', 'network');
    clock.now += 5 * SECOND - 1;
    expect(tracker.check('a#0', 'm')).toBe(T0 + 5 * SECOND);
    clock.now += 1;
    expect(tracker.check('a#0', 'm')).toBeUndefined();
    expect(tracker.list()).toEqual([]);
  });
});

describe('CooldownTracker rate limits', () => {
  it('backs off exponentially from the base per consecutive 429, up to the cap', () => {
    const { tracker, clock } = setup({ rateLimitBaseMs: SECOND, rateLimitMaxMs: 10 * SECOND });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const until = tracker.recordFailure('a#0', 'm', 'rate_limited');
      waits.push(until - clock.now);
      clock.now = until; // retried the moment the cooldown ends, and limited again
    }
    expect(waits).toEqual([1, 2, 4, 8, 10, 10].map((s) => s * SECOND));
    expect(tracker.list()).toEqual([]);
    tracker.recordFailure('a#0', 'm', 'rate_limited');
    expect(tracker.list()[0]?.failures).toBe(7);
  });

  it("waits the provider's hint, capped", () => {
    const { tracker } = setup({ rateLimitMaxMs: 30 * MINUTE });
    expect(tracker.recordFailure('a#0', 'm', 'rate_limited', 120)).toBe(T0 + 120 * SECOND);
    expect(tracker.recordFailure('a#1', 'm', 'rate_limited', 86_400)).toBe(T0 + 30 * MINUTE);
    expect(tracker.recordFailure('a#2', 'm', 'rate_limited', 0.5)).toBe(T0 + 500);
    // A nonsense hint falls back to the exponential back-off.
    expect(tracker.recordFailure('a#3', 'm', 'rate_limited', Number.NaN)).toBe(T0 + SECOND);
    expect(tracker.recordFailure('a#4', 'm', 'rate_limited', -5)).toBe(T0 + SECOND);
  });

  it('does not escalate or shorten on 429s of requests already in flight', () => {
    const { tracker, clock } = setup();
    tracker.recordFailure('a#0', 'm', 'rate_limited', 60);
    clock.now += 10 * SECOND;
    // A parallel 429 without a hint would be 1 s; the 60 s cooldown stands, and the streak stays at one.
    expect(tracker.recordFailure('a#0', 'm', 'rate_limited')).toBe(T0 + 60 * SECOND);
    expect(tracker.recordFailure('a#0', 'm', 'rate_limited')).toBe(T0 + 60 * SECOND);
    expect(tracker.list()[0]?.failures).toBe(1);
    // The first 429 after the cooldown is the second in a row, not the fourth.
    clock.now = T0 + 60 * SECOND;
    expect(tracker.recordFailure('a#0', 'm', 'rate_limited') - clock.now).toBe(2 * SECOND);
    // A failure of another kind in flight may extend the cooldown, and it starts its own streak.
    expect(tracker.recordFailure('a#0', 'm', 'network')).toBe(T0 + 65 * SECOND);
    expect(tracker.list()[0]).toMatchObject({ kind: 'network', failures: 1 });
  });

  it('starts over after a success', () => {
    const { tracker, clock } = setup();
    for (let i = 0; i < 3; i++) clock.now = tracker.recordFailure('a#0', 'm', 'rate_limited');
    tracker.recordSuccess('a#0', 'm');
    expect(tracker.recordFailure('a#0', 'm', 'rate_limited') - clock.now).toBe(SECOND);
  });
});

describe('CooldownTracker success and queries', () => {
  it('clears only that model on success, and writes nothing when nothing cools', async () => {
    const { tracker, store } = setup();
    tracker.recordFailure('a#0', 'm', 'server_error');
    tracker.recordFailure('a#0', 'n', 'server_error');
    tracker.recordFailure('a#1', 'x', 'auth');
    await tracker.flush();
    store.calls.length = 0;
    for (let i = 0; i < 100; i++) tracker.recordSuccess('a#2', 'm');
    tracker.recordSuccess('a#0', 'zzz');
    // A success on one model does not lift the credential-wide auth cooldown.
    tracker.recordSuccess('a#1', 'x');
    await tracker.flush();
    expect(store.calls).toEqual([]);
    tracker.recordSuccess('a#0', 'm');
    expect(tracker.check('a#0', 'm')).toBeUndefined();
    expect(tracker.check('a#0', 'n')).toBeDefined();
    expect(tracker.check('a#1', 'x')).toBeDefined();
    await tracker.flush();
    expect(store.calls).toEqual(['remove a#0 m']);
  });

  it('says when the first of several credentials comes back, or undefined when one is usable', () => {
    const { tracker } = setup();
    tracker.recordFailure('a#0', 'm', 'server_error');
    tracker.recordFailure('a#1', 'm', 'network');
    expect(tracker.soonest(['a#0', 'a#1'], 'm')).toBe(T0 + 5 * SECOND);
    expect(tracker.soonest(['a#0', 'a#1', 'a#2'], 'm')).toBeUndefined();
    expect(tracker.soonest(['a#0'], 'other')).toBeUndefined();
    expect(tracker.soonest([], 'm')).toBeUndefined();
  });

  it('lists active cooldowns sorted by credential then model', () => {
    const { tracker } = setup();
    tracker.recordFailure('b#0', 'm', 'network');
    tracker.recordFailure('a#0', 'z', 'server_error');
    tracker.recordFailure('a#0', 'b', 'model_not_found');
    expect(tracker.list().map((r) => `${r.credentialId}/${r.model}/${r.kind}`)).toEqual(['a#0/b/model_not_found', 'a#0/z/server_error', 'b#0/m/network']);
  });

  it('refuses negative or non-numeric settings', () => {
    expect(() => new CooldownTracker(new FakeStore(), { ...DEFAULT_COOLDOWN_SETTINGS, networkMs: -1 })).toThrow(/networkMs/);
    expect(() => new CooldownTracker(new FakeStore(), { ...DEFAULT_COOLDOWN_SETTINGS, authMs: Number.NaN })).toThrow(/authMs/);
  });
});

describe('CooldownTracker persistence', () => {
  it('writes through, in order, and a new tracker loads the state', async () => {
    const { tracker, store, make, clock } = setup();
    tracker.recordFailure('a#0', 'm', 'rate_limited', 30);
    tracker.recordFailure('a#0', 'n', 'server_error');
    tracker.recordSuccess('a#0', 'n');
    await tracker.flush();
    expect(store.calls).toEqual(['upsert a#0 m', 'upsert a#0 n', 'remove a#0 n']);
    expect([...store.rows.values()]).toEqual([{ credentialId: 'a#0', model: 'm', until: new Date(T0 + 30 * SECOND), kind: 'rate_limited', failures: 1 }]);

    const restarted = make();
    expect(restarted.check('a#0', 'm')).toBeUndefined();
    await restarted.load();
    expect(restarted.check('a#0', 'm')).toBe(T0 + 30 * SECOND);
    // The failure count survived too: the next 429 after expiry is the second in a row.
    clock.now = T0 + 30 * SECOND;
    expect(restarted.recordFailure('a#0', 'm', 'rate_limited') - clock.now).toBe(2 * SECOND);
  });

  it('reports store failures to onError and keeps serving from memory', async () => {
    const { tracker, store, errors } = setup();
    store.fail = true;
    expect(() => tracker.recordFailure('a#0', 'm', 'auth')).not.toThrow();
    tracker.recordSuccess('a#0', ALL_MODELS);
    await tracker.flush();
    expect(errors).toHaveLength(2);
    expect(String(errors[0])).toContain('disk full');
    tracker.recordFailure('a#0', 'm', 'network');
    expect(tracker.check('a#0', 'm')).toBe(T0 + 5 * SECOND);
    // reset is an operator action: its failure is the caller's to report.
    await expect(tracker.reset()).rejects.toThrow('disk full');
  });

  it('resets everything or one provider’s credentials, in memory and in the store', async () => {
    const { tracker, store } = setup();
    for (const id of ['a#0', 'a#1', 'ab#0', 'b#0']) tracker.recordFailure(id, 'm', 'server_error');
    expect(await tracker.reset({ credentialIdPrefix: 'a#' })).toBe(2);
    expect(tracker.list().map((r) => r.credentialId)).toEqual(['ab#0', 'b#0']);
    expect([...store.rows.values()].map((r) => r.credentialId)).toEqual(['ab#0', 'b#0']);
    expect(await tracker.reset()).toBe(2);
    expect(tracker.list()).toEqual([]);
    expect(store.rows.size).toBe(0);
  });

  it("sees another process's reset on refresh", async () => {
    const { tracker, make } = setup();
    tracker.recordFailure('a#0', 'm', 'auth');
    await tracker.flush();
    const cli = make();
    await cli.load();
    expect(await cli.reset()).toBe(1);
    expect(tracker.check('a#0', 'm')).toBeDefined();
    await tracker.refresh();
    expect(tracker.check('a#0', 'm')).toBeUndefined();
  });

  it('keeps changes made while a refresh reads the store', async () => {
    const { tracker, store } = setup();
    tracker.recordFailure('old#0', 'm', 'server_error');
    tracker.recordFailure('gone#0', 'm', 'server_error');
    await tracker.flush();
    let release = (): void => {};
    store.gate = new Promise((resolve) => (release = resolve));
    const refreshing = tracker.refresh();
    await Promise.resolve();
    tracker.recordFailure('new#0', 'm', 'network');
    tracker.recordSuccess('old#0', 'm');
    const resetting = tracker.reset({ credentialIdPrefix: 'gone#' });
    release();
    await refreshing;
    expect(await resetting).toBe(1);
    expect(tracker.list().map((r) => r.credentialId)).toEqual(['new#0']);
  });

  it('forgets expired entries after the memory window and prunes them from the store on refresh', async () => {
    const { tracker, store, clock } = setup({ rateLimitMaxMs: MINUTE });
    tracker.recordFailure('a#0', 'm', 'network');
    tracker.recordFailure('a#1', 'm', 'server_error');
    await tracker.flush();
    clock.now = T0 + 5 * SECOND + MINUTE;
    await tracker.refresh();
    await tracker.flush();
    // a#0 expired a window ago: forgotten. a#1 expired 5 s ago: no longer cooling, but its streak is remembered.
    expect(tracker.list()).toEqual([]);
    expect([...store.rows.keys()]).toEqual(['a#1|m']);
    tracker.recordFailure('a#1', 'm', 'server_error');
    tracker.recordFailure('a#0', 'm', 'network');
    expect(tracker.list().map((r) => `${r.credentialId}:${r.failures}`)).toEqual(['a#0:1', 'a#1:2']);
  });
});
