import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Storage, UsageEventRecord } from '../storage/ports.ts';
import { openSqliteStorage } from '../storage/sql/sqlite.ts';
import { UsageQueryError, parseGroupBy, parseTimeArg, queryUsage } from './usage-query.ts';

describe('parseTimeArg', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  it('takes ISO dates and times, and spans back from now', () => {
    expect(parseTimeArg('2026-03-01', now, '--since').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseTimeArg('2026-03-01T08:30:00Z', now, '--since').toISOString()).toBe('2026-03-01T08:30:00.000Z');
    expect(parseTimeArg('2026-03-01T08:30:00+02:00', now, '--since').toISOString()).toBe('2026-03-01T06:30:00.000Z');
    expect(parseTimeArg('7d', now, '--since').toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(parseTimeArg('90m', now, '--since').toISOString()).toBe('2026-03-10T10:30:00.000Z');
    expect(parseTimeArg('2w', now, '--since').toISOString()).toBe('2026-02-24T12:00:00.000Z');
  });
  it('refuses anything else with a line naming the flag', () => {
    for (const bad of ['yesterday', 'March 7', '7', '-7d', '2026-13-45', '']) expect(() => parseTimeArg(bad, now, '--until'), bad).toThrow(/^--until must be/);
  });
  it('checks the grouping', () => {
    expect(parseGroupBy('credential')).toBe('credential');
    expect(() => parseGroupBy('ip')).toThrow(UsageQueryError);
  });
});

describe('queryUsage (sqlite)', () => {
  let dir: string;
  let storage: Storage;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rampart-usage-query-'));
    storage = await openSqliteStorage(dir);
  });
  afterEach(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const at = (iso: string, n: number, extra: Partial<UsageEventRecord>): UsageEventRecord => ({
    time: new Date(iso),
    requestId: `req_${n}`,
    keyId: 'key_a',
    providerId: 'openai',
    credentialId: 'openai#0',
    modelRequested: 'fast',
    modelUpstream: 'gpt-4o-mini',
    route: 'chat',
    inputTokens: 10 * n,
    outputTokens: n,
    cachedTokens: n % 2,
    reasoningTokens: 0,
    estimated: false,
    latencyMs: 100,
    status: 200,
    outcome: 'ok',
    ...extra,
  });

  it('totals per group inside the time range only, largest first, with a grand total', async () => {
    await storage.usageEvents.insertMany([
      at('2026-03-01T00:00:00Z', 1, {}),
      at('2026-03-02T00:00:00Z', 2, { keyId: 'key_b', providerId: 'anthropic', credentialId: 'anthropic#0', modelUpstream: 'claude', estimated: true, outcome: 'client_abort' }),
      at('2026-03-03T00:00:00Z', 3, {}),
      at('2026-03-05T00:00:00Z', 4, { modelUpstream: null, modelRequested: 'unknown-model', providerId: null, credentialId: null, status: 404, outcome: 'client_error' }),
      // Outside the range on both sides: the end is exclusive.
      at('2026-02-28T23:59:59.999Z', 5, {}),
      at('2026-03-06T00:00:00Z', 6, {}),
    ]);
    const range = { since: new Date('2026-03-01T00:00:00Z'), until: new Date('2026-03-06T00:00:00Z') };
    const byModel = await queryUsage(storage.usageEvents, { ...range, groupBy: 'model' });
    expect(byModel.groups.map((g) => [g.group, g.requests, g.inputTokens, g.outputTokens])).toEqual([
      ['gpt-4o-mini', 2, 40, 4],
      ['unknown-model', 1, 40, 4],
      ['claude', 1, 20, 2],
    ]);
    expect(byModel.total).toMatchObject({ requests: 4, inputTokens: 100, outputTokens: 10, cachedTokens: 2, estimatedRequests: 1, failedRequests: 2, latencyMsTotal: 400 });
    const byKey = await queryUsage(storage.usageEvents, { ...range, groupBy: 'key' });
    expect(byKey.groups.map((g) => [g.group, g.requests])).toEqual([
      ['key_a', 3],
      ['key_b', 1],
    ]);
    const byCredential = await queryUsage(storage.usageEvents, { ...range, groupBy: 'credential' });
    expect(byCredential.groups.map((g) => g.group).sort()).toEqual(['', 'anthropic#0', 'openai#0']);
  });

  it('adds nothing when a batch is written twice (a retried flush)', async () => {
    const rows = [at('2026-03-01T00:00:00Z', 1, {}), at('2026-03-01T00:00:01Z', 2, {})];
    await storage.usageEvents.insertMany(rows);
    await storage.usageEvents.insertMany(rows);
    const report = await queryUsage(storage.usageEvents, { since: new Date('2026-01-01'), until: new Date('2027-01-01'), groupBy: 'provider' });
    expect(report.total.requests).toBe(2);
  });

  it('refuses an empty or reversed range', async () => {
    const t = new Date('2026-03-01T00:00:00Z');
    await expect(queryUsage(storage.usageEvents, { since: t, until: t, groupBy: 'key' })).rejects.toThrow(UsageQueryError);
  });
});
