import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import type { UsageEventRecord, UsageEventStore, UsageTotals } from '../storage/ports.ts';
import { UsageRecorder } from './usage-recorder.ts';

/** A store that keeps what it is given and counts the batches, failing on demand. */
class FakeStore implements UsageEventStore {
  readonly rows: UsageEventRecord[] = [];
  batches = 0;
  failNext = 0;
  insertMany(events: readonly UsageEventRecord[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('disk full'));
    }
    this.batches++;
    this.rows.push(...events);
    return Promise.resolve();
  }
  totals(): Promise<UsageTotals[]> {
    return Promise.resolve([]);
  }
  list(): Promise<UsageEventRecord[]> {
    return Promise.resolve([...this.rows]);
  }
}

function event(n: number, extra: Partial<UsageEventRecord> = {}): UsageEventRecord {
  return {
    time: new Date(1_700_000_000_000 + n),
    requestId: `req_${n}`,
    keyId: 'key_a',
    providerId: 'p',
    credentialId: 'p#0',
    modelRequested: 'm',
    modelUpstream: 'm',
    route: 'chat',
    inputTokens: n,
    outputTokens: 1,
    cachedTokens: 0,
    reasoningTokens: 0,
    estimated: false,
    latencyMs: 5,
    status: 200,
    outcome: 'ok',
    ...extra,
  };
}

describe('UsageRecorder', () => {
  it('writes nothing per request: events wait for a flush and go in batches', async () => {
    const store = new FakeStore();
    const recorder = new UsageRecorder(store, { flushMs: 600_000, maxBatch: 4 });
    for (let i = 0; i < 3; i++) recorder.record(event(i));
    expect(store.rows).toHaveLength(0);
    expect(recorder.queued).toBe(3);
    await recorder.flush();
    expect(store.rows.map((r) => r.requestId)).toEqual(['req_0', 'req_1', 'req_2']);
    expect(store.batches).toBe(1);
    await recorder.close();
  });

  it('writes a full batch at once, without waiting for the timer', async () => {
    const store = new FakeStore();
    const recorder = new UsageRecorder(store, { flushMs: 600_000, maxBatch: 2 });
    recorder.record(event(1));
    recorder.record(event(2));
    await recorder.flush();
    expect(store.batches).toBe(1);
    await recorder.close();
  });

  it('writes what is left on close (graceful stop)', async () => {
    const store = new FakeStore();
    const recorder = new UsageRecorder(store, { flushMs: 600_000 });
    for (let i = 0; i < 1_234; i++) recorder.record(event(i));
    await recorder.close();
    expect(store.rows).toHaveLength(1_234);
    expect(recorder.queued).toBe(0);
  });

  it('keeps events of a failed write, in order, for the next flush', async () => {
    const store = new FakeStore();
    const recorder = new UsageRecorder(store, { flushMs: 600_000 });
    recorder.record(event(1));
    recorder.record(event(2));
    store.failNext = 1;
    await expect(recorder.flush()).rejects.toThrow(/disk full/);
    recorder.record(event(3));
    await recorder.flush();
    expect(store.rows.map((r) => r.requestId)).toEqual(['req_1', 'req_2', 'req_3']);
    await recorder.close();
  });

  it('drops the oldest events (and says so) when the store keeps failing past maxQueued', async () => {
    const store = new FakeStore();
    const errors: unknown[] = [];
    const recorder = new UsageRecorder(store, { flushMs: 600_000, maxQueued: 3, onError: (e) => errors.push(e) });
    for (let i = 0; i < 5; i++) recorder.record(event(i));
    expect(recorder.queued).toBe(3);
    expect(errors).toHaveLength(2);
    await recorder.close();
    expect(store.rows.map((r) => r.requestId)).toEqual(['req_2', 'req_3', 'req_4']);
  });

  it('flushes on its timer', async () => {
    const store = new FakeStore();
    const recorder = new UsageRecorder(store, { flushMs: 20 });
    recorder.record(event(1));
    await new Promise((r) => setTimeout(r, 120));
    expect(store.rows).toHaveLength(1);
    await recorder.close();
  });

  it('emits one provider_request audit event per record, with the outcome mapped and the address', () => {
    const audit = new MemoryAuditLog();
    const recorder = new UsageRecorder(new FakeStore(), { audit, flushMs: 600_000 });
    recorder.record(event(7), '192.0.2.1');
    recorder.record(event(8, { keyId: null, outcome: 'upstream_error', status: 502 }));
    expect(audit.events).toEqual([
      expect.objectContaining({ type: 'provider_request', actor: 'key:key_a', ip: '192.0.2.1', requestId: 'req_7', outcome: 'success', details: expect.objectContaining({ inputTokens: 7, status: 200, provider: 'p', credentialId: 'p#0' }) as unknown }),
      expect.objectContaining({ actor: 'anonymous', outcome: 'error', details: expect.objectContaining({ result: 'upstream_error', status: 502 }) as unknown }),
    ]);
    void recorder.close();
  });
});
