import { describe, expect, it } from 'vitest';
import { WriteProbe } from './write-probe.ts';

describe('WriteProbe', () => {
  it('probes at most once per ttl, and concurrent callers share one probe', async () => {
    let now = 0;
    let calls = 0;
    const probe = new WriteProbe(
      () => {
        calls++;
        return new Promise((resolve) => setTimeout(resolve, 5));
      },
      { ttlMs: 1000, now: () => now },
    );
    const results = await Promise.all([probe.check(), probe.check(), probe.check()]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(calls).toBe(1);
    now = 999;
    await probe.check();
    expect(calls).toBe(1);
    now = 1006;
    await probe.check();
    expect(calls).toBe(2);
  });

  it('reports a failure by its code only, never the message (which may hold a path)', async () => {
    let now = 0;
    let fail: Error | undefined = Object.assign(new Error('cannot write /srv/secret/rampart.db'), { code: 'SQLITE_READONLY' });
    const probe = new WriteProbe(() => (fail === undefined ? Promise.resolve() : Promise.reject(fail)), { ttlMs: 10, now: () => now });
    expect(await probe.check()).toEqual({ ok: false, code: 'SQLITE_READONLY' });
    fail = new Error('no code here /srv/secret');
    now = 20;
    expect(await probe.check()).toEqual({ ok: false, code: 'WRITE_FAILED' });
    fail = Object.assign(new Error('x'), { code: 'weird code /path' });
    now = 40;
    expect(await probe.check()).toEqual({ ok: false, code: 'WRITE_FAILED' });
    fail = undefined;
    now = 60;
    expect(await probe.check()).toEqual({ ok: true });
  });
});
