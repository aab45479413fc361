import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditEventInput, MemoryAuditLog } from '../audit/audit-log.ts';
import { alertsSchema } from '../config/alerts-schema.ts';
import type { Storage } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { AlertEngine } from './alert-engine.ts';
import { IpBlockList } from './ip-block-list.ts';

describe('AlertEngine', () => {
  let dir: string;
  let storage: Storage;
  let audit: MemoryAuditLog;
  let blocks: IpBlockList;
  let clock = 0;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-alerts-'));
    storage = await openSqliteStorage(dir);
    audit = new MemoryAuditLog();
    blocks = new IpBlockList(storage.ipBlocks);
    clock = 0;
  });
  afterEach(async () => {
    await blocks.settled();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  function engine(config: unknown): AlertEngine {
    const e = new AlertEngine({ config: alertsSchema.parse(config), audit, blocks, clock: () => clock });
    e.start();
    return e;
  }
  const failure = (ip: string, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({ type: 'auth_failure', actor: 'anonymous', ip, requestId: `req_${clock}`, outcome: 'denied', ...extra });
  const ofType = (type: string) => audit.events.filter((e) => e.type === type);

  it('blocks an address after N auth failures within the window, and records ip_blocked once', async () => {
    engine({ rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 3, windowSeconds: 60, action: 'block-ip', blockMinutes: 10 }] });
    audit.record(failure('192.0.2.10'));
    clock += 1_000;
    audit.record(failure('192.0.2.10'));
    expect(blocks.blockedUntil('192.0.2.10')).toBeUndefined();
    clock += 1_000;
    audit.record(failure('192.0.2.10'));
    const until = blocks.blockedUntil('192.0.2.10');
    expect(until).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(ofType('ip_blocked')).toEqual([
      expect.objectContaining({ actor: 'system', ip: '192.0.2.10', outcome: 'blocked', requestId: 'req_2000', details: expect.objectContaining({ rule: 'brute', minutes: 10, threshold: 3 }) as unknown }),
    ]);
    await blocks.settled();
    expect((await storage.ipBlocks.list()).map((b) => [b.ip, b.createdBy])).toEqual([['192.0.2.10', 'alert:brute']]);
    // Other addresses are untouched.
    expect(blocks.blockedUntil('192.0.2.11')).toBeUndefined();
  });

  it('does not trigger when the failures are spread wider than the window', () => {
    engine({ rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 3, windowSeconds: 60, action: 'block-ip' }] });
    for (let i = 0; i < 10; i++) {
      audit.record(failure('192.0.2.10'));
      clock += 31_000;
    }
    expect(blocks.count()).toBe(0);
    expect(ofType('ip_blocked')).toEqual([]);
  });

  it('counts every notation of an address as one, and IPv6 per /64', () => {
    engine({ rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 3, windowSeconds: 60, action: 'block-ip' }] });
    audit.record(failure('192.0.2.20'));
    audit.record(failure('::ffff:192.0.2.20'));
    audit.record(failure('::ffff:c000:214'));
    expect(blocks.blockedUntil('192.0.2.20')).toBeDefined();
    audit.record(failure('2001:db8:5:6::1'));
    audit.record(failure('2001:db8:5:6::2'));
    audit.record(failure('2001:db8:5:6:ffff::3'));
    expect(blocks.blockedUntil('2001:db8:5:6::abc')).toBeDefined();
    expect(ofType('ip_blocked').map((e) => e.ip)).toEqual(['192.0.2.20', '2001:db8:5:6::/64']);
  });

  it('records an alert for a global spike and starts counting over', () => {
    engine({ rules: [{ id: 'spike', on: 'rate_limited', per: 'global', threshold: 4, windowSeconds: 10, action: 'alert' }] });
    for (let i = 0; i < 8; i++) audit.record({ type: 'rate_limited', actor: 'anonymous', ip: `198.51.100.${i}`, outcome: 'denied' });
    const alerts = ofType('alert');
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatchObject({ actor: 'system', outcome: 'detected', details: { rule: 'spike', on: 'rate_limited', per: 'global' } });
    expect(blocks.count()).toBe(0);
  });

  it('counts per key, ignoring events without a key', () => {
    engine({ rules: [{ id: 'key-waf', on: 'waf_block', per: 'key', threshold: 2, windowSeconds: 60, action: 'alert' }] });
    audit.record({ type: 'waf_block', actor: 'anonymous', outcome: 'blocked' });
    audit.record({ type: 'waf_block', actor: 'anonymous', outcome: 'blocked' });
    audit.record({ type: 'waf_block', actor: 'key:key_a', outcome: 'blocked' });
    audit.record({ type: 'waf_block', actor: 'key:key_b', outcome: 'blocked' });
    expect(ofType('alert')).toEqual([]);
    audit.record({ type: 'waf_block', actor: 'key:key_a', outcome: 'blocked' });
    expect(ofType('alert')).toEqual([expect.objectContaining({ details: expect.objectContaining({ subject: 'key:key_a' }) as unknown })]);
  });

  it('never blocks a neverBlock address, but still records the alert', () => {
    engine({ neverBlock: ['192.0.2.0/24'], rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 2, windowSeconds: 60, action: 'block-ip' }] });
    audit.record(failure('192.0.2.99'));
    audit.record(failure('192.0.2.99'));
    expect(blocks.blockedUntil('192.0.2.99')).toBeUndefined();
    expect(ofType('alert')).toEqual([expect.objectContaining({ ip: '192.0.2.99', details: expect.objectContaining({ exempt: true }) as unknown })]);
  });

  it('never counts its own events, even if a rule were written for them', () => {
    // The schema refuses such rules; the engine ignores the events anyway (defence in depth).
    expect(alertsSchema.safeParse({ rules: [{ id: 'loop', on: 'ip_blocked', per: 'global', threshold: 1, windowSeconds: 1, action: 'alert' }] }).success).toBe(false);
    engine({ rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 1, windowSeconds: 60, action: 'block-ip' }] });
    audit.record(failure('192.0.2.30'));
    expect(audit.events.map((e) => e.type)).toEqual(['auth_failure', 'ip_blocked']);
  });

  it('stops counting when stopped', () => {
    const e = engine({ rules: [{ id: 'brute', on: 'auth_failure', per: 'ip', threshold: 1, windowSeconds: 60, action: 'block-ip' }] });
    e.stop();
    audit.record(failure('192.0.2.40'));
    expect(blocks.count()).toBe(0);
  });
});

describe('alerts config', () => {
  it('has secure defaults: brute force per IP is blocked, a rate-limit spike is reported', () => {
    const config = alertsSchema.parse(undefined);
    expect(config.rules).toEqual([
      expect.objectContaining({ on: 'auth_failure', per: 'ip', action: 'block-ip', threshold: 20, windowSeconds: 300, blockMinutes: 15 }),
      expect.objectContaining({ on: 'rate_limited', per: 'global', action: 'alert' }),
    ]);
  });

  it('refuses rules that cannot work, at boot', () => {
    const bad = [
      { id: 'x', on: 'auth_failure', per: 'key', threshold: 1, windowSeconds: 1, action: 'block-ip' },
      { id: 'x', on: 'no_such_event', per: 'ip', threshold: 1, windowSeconds: 1, action: 'alert' },
      { id: 'x', on: 'auth_failure', per: 'ip', threshold: 0, windowSeconds: 1, action: 'alert' },
      { id: 'x', on: 'auth_failure', per: 'ip', threshold: 1_001, windowSeconds: 1, action: 'alert' },
      { id: 'x', on: 'auth_failure', per: 'ip', threshold: 1, windowSeconds: 0, action: 'alert' },
      { id: 'Bad Id', on: 'auth_failure', per: 'ip', threshold: 1, windowSeconds: 1, action: 'alert' },
    ];
    for (const rule of bad) expect(alertsSchema.safeParse({ rules: [rule] }).success, JSON.stringify(rule)).toBe(false);
    const twice = { id: 'x', on: 'auth_failure', per: 'ip', threshold: 1, windowSeconds: 1, action: 'alert' };
    expect(alertsSchema.safeParse({ rules: [twice, twice] }).success).toBe(false);
    expect(alertsSchema.safeParse({ neverBlock: ['10.0.0.1/8'] }).success).toBe(false);
    expect(alertsSchema.parse({ rules: [] }).rules).toEqual([]);
  });
});
