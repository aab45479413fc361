import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../storage/open-storage.ts';
import type { Storage } from '../storage/ports.ts';
import type { AuditRecord } from './audit-log.ts';
import { AuditUnavailableError } from './audit-log.ts';
import { type AuditFileIo, NodeAuditFileIo } from './audit-io.ts';
import { loadOrCreateSigningKey } from './audit-keys.ts';
import { GENESIS_HASH, parseRecordLine } from './audit-record.ts';
import { openTestWriter, tempAuditPaths, testEvent } from './audit-test-helpers.ts';
import { verifyAuditLog } from './audit-verify.ts';
import type { AuditPaths } from './audit-files.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function records(paths: AuditPaths): Promise<AuditRecord[]> {
  const text = await readFile(paths.log, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = parseRecordLine(line);
      if (!parsed.ok) throw new Error(`bad line: ${parsed.problem}`);
      return parsed.record;
    });
}

async function storageIn(paths: AuditPaths): Promise<Storage> {
  const storage = await openStorage(path.dirname(paths.dir));
  cleanups.push(() => storage.close());
  return storage;
}

/** A file io whose appends fail (or hang) while `mode` says so. */
function faultyIo(inner: AuditFileIo, mode: { value: 'ok' | 'enospc' | 'hang' }): AuditFileIo {
  return {
    size: () => inner.size(),
    read: (p, l) => inner.read(p, l),
    truncate: (s) => inner.truncate(s),
    readHead: () => inner.readHead(),
    writeHead: (t) => inner.writeHead(t),
    saveAside: (s, d) => inner.saveAside(s, d),
    close: () => inner.close(),
    append(data, position) {
      if (mode.value === 'enospc') return Promise.reject(Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
      if (mode.value === 'hang') return new Promise<void>(() => undefined);
      return inner.append(data, position);
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('AuditWriter', () => {
  it('chains records: index from 0, prev = previous hash, genesis first; table mirrors the file', async () => {
    const paths = await tempAuditPaths();
    const storage = await storageIn(paths);
    const writer = await openTestWriter(paths, { store: storage.auditEvents });
    for (let i = 0; i < 5; i++) writer.record(testEvent(i));
    await writer.recordDurable(testEvent(5, { ip: '127.0.0.1', requestId: 'req_1' }));
    await writer.close();
    const written = await records(paths);
    expect(written.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(written[0]?.prev).toBe(GENESIS_HASH);
    for (let i = 1; i < written.length; i++) expect(written[i]?.prev).toBe(written[i - 1]?.hash);
    expect(written[5]).toMatchObject({ ip: '127.0.0.1', requestId: 'req_1', details: { n: 5 } });
    expect(await storage.auditEvents.range(0, 100)).toEqual(written);
  });

  it('continues the chain after a restart', async () => {
    const paths = await tempAuditPaths();
    const first = await openTestWriter(paths);
    await first.recordDurable(testEvent(0));
    await first.recordDurable(testEvent(1));
    await first.close();
    const second = await openTestWriter(paths);
    await second.recordDurable(testEvent(2));
    await second.close();
    const written = await records(paths);
    expect(written.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(written[2]?.prev).toBe(written[1]?.hash);
    const key = await loadOrCreateSigningKey(paths);
    expect((await verifyAuditLog(paths, key)).ok).toBe(true);
  });

  it('two writers on one folder (serve + CLI) interleave into one valid chain', async () => {
    const paths = await tempAuditPaths();
    const a = await openTestWriter(paths);
    const b = await openTestWriter(paths);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).recordDurable(testEvent(i))));
    await a.close();
    await b.close();
    const written = await records(paths);
    expect(written.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await verifyAuditLog(paths, await loadOrCreateSigningKey(paths))).ok).toBe(true);
  });

  it('appends a signed checkpoint every N records', async () => {
    const paths = await tempAuditPaths();
    const writer = await openTestWriter(paths, { checkpoint: { everyRecords: 3, everySeconds: 3600 } });
    for (let i = 0; i < 7; i++) await writer.recordDurable(testEvent(i));
    await writer.close();
    const written = await records(paths);
    const checkpoints = written.filter((r) => r.type === 'audit_checkpoint');
    expect(checkpoints.length).toBe(2);
    expect(checkpoints[0]?.details).toMatchObject({ covers: 2, head: written[2]?.hash });
    const report = await verifyAuditLog(paths, await loadOrCreateSigningKey(paths));
    expect(report).toMatchObject({ ok: true, checkpoints: 2 });
  });

  it('delivers every written record to subscribers, and a throwing subscriber harms no one', async () => {
    const paths = await tempAuditPaths();
    const writer = await openTestWriter(paths);
    const seen: number[] = [];
    writer.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const unsubscribe = writer.subscribe((r) => seen.push(r.index));
    await writer.recordDurable(testEvent(0));
    await writer.recordDurable(testEvent(1));
    unsubscribe();
    await writer.recordDurable(testEvent(2));
    await writer.close();
    expect(seen).toEqual([0, 1]);
  });

  it('fills the table behind the file, yet a new event never waits for the table: written within the flush interval', async () => {
    const paths = await tempAuditPaths();
    const storage = await storageIn(paths);
    const writer = await openTestWriter(paths, { store: storage.auditEvents, flushIntervalMs: 20 });
    cleanups.push(() => writer.close());
    const seen: number[] = [];
    writer.subscribe((r) => seen.push(r.index));
    writer.record(testEvent(0));
    await until(() => seen.length === 1);
    // The table's insert now waits (up to 250 ms); the second event must not wait with it.
    const started = Date.now();
    writer.record(testEvent(1));
    await until(() => seen.length === 2);
    expect(Date.now() - started).toBeLessThan(150);
    // And the table catches up by itself.
    await until(async () => (await storage.auditEvents.lastIndex()) === 1, 2000);
  });

  it('fingerprints are salted HMACs: stable, 24 hex, never the secret, different per salt', async () => {
    const secret = 'sk-test-0123456789abcdefSECRET';
    const pathsA = await tempAuditPaths();
    const a = await openTestWriter(pathsA);
    const b = await openTestWriter(await tempAuditPaths());
    const fp = a.fingerprint(secret);
    expect(fp).toMatch(/^[0-9a-f]{24}$/);
    expect(fp).not.toContain(secret);
    expect(secret).not.toContain(fp);
    expect(a.fingerprint(secret)).toBe(fp);
    expect(a.fingerprint(`${secret}x`)).not.toBe(fp);
    expect(b.fingerprint(secret)).not.toBe(fp);
    await a.close();
    await b.close();
    expect(await readFile(pathsA.log, 'utf8')).not.toContain(secret);
  });

  it('a hung sink: recordDurable rejects within the timeout and healthy() turns false', async () => {
    const paths = await tempAuditPaths();
    const mode = { value: 'ok' as 'ok' | 'enospc' | 'hang' };
    const io = faultyIo(await NodeAuditFileIo.open(paths), mode);
    const writer = await openTestWriter(paths, { io, writeTimeoutMs: 300 });
    await writer.recordDurable(testEvent(0));
    mode.value = 'hang';
    const started = Date.now();
    await expect(writer.recordDurable(testEvent(1))).rejects.toBeInstanceOf(AuditUnavailableError);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
    await until(() => !writer.healthy());
    await writer.close();
  });

  it('a failing sink: durable writes are refused at once, queued events are kept, drops are counted and reported', async () => {
    const paths = await tempAuditPaths();
    const mode = { value: 'ok' as 'ok' | 'enospc' | 'hang' };
    const io = faultyIo(await NodeAuditFileIo.open(paths), mode);
    const writer = await openTestWriter(paths, { io, maxQueuedEvents: 100 });
    await writer.recordDurable(testEvent(0));
    mode.value = 'enospc';
    const started = Date.now();
    await expect(writer.recordDurable(testEvent(1))).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(writer.healthy()).toBe(false);
    expect(writer.status().lastError).toBe('ENOSPC');
    for (let i = 0; i < 150; i++) writer.record(testEvent(100 + i, { type: 'auth_failure' }));
    expect(writer.status()).toMatchObject({ queued: 100, dropped: 50 });
    mode.value = 'ok';
    await until(() => writer.healthy() && writer.status().queued === 0);
    await writer.close();
    const written = await records(paths);
    const failure = written.find((r) => r.type === 'audit_sink_failure');
    expect(failure?.details).toMatchObject({ reason: 'write_failed', error: 'ENOSPC', dropped: 50, droppedByType: { auth_failure: 50 } });
    // Refused durable events never reach the log; kept ones all do, in order.
    expect(written.filter((r) => r.details?.n === 1)).toEqual([]);
    expect(written.filter((r) => r.type === 'auth_failure').map((r) => r.details?.n)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    expect((await verifyAuditLog(paths, await loadOrCreateSigningKey(paths))).ok).toBe(true);
  });

  it('a torn last line from a crash is kept aside, cut, reported, and the chain continues', async () => {
    const paths = await tempAuditPaths();
    const first = await openTestWriter(paths);
    await first.recordDurable(testEvent(0));
    await first.close();
    await appendFile(paths.log, '{"index":1,"time":"2026-');
    const second = await openTestWriter(paths);
    await second.recordDurable(testEvent(1));
    await second.close();
    const written = await records(paths);
    expect(written.map((r) => r.type)).toEqual(['key_created', 'audit_sink_failure', 'key_created']);
    expect(written[1]?.details).toMatchObject({ reason: 'torn_tail', bytes: 24, resumedAfterIndex: 0 });
    const aside = (await readdir(paths.dir)).filter((name) => name.includes('torn-'));
    expect(aside.length).toBe(1);
    expect((await verifyAuditLog(paths, await loadOrCreateSigningKey(paths))).ok).toBe(true);
  });

  it('refuses to continue a log whose tail was cut below the signed head', async () => {
    const paths = await tempAuditPaths();
    const first = await openTestWriter(paths);
    for (let i = 0; i < 3; i++) await first.recordDurable(testEvent(i));
    await first.close();
    const lines = (await readFile(paths.log, 'utf8')).split('\n');
    await rm(paths.log);
    await appendFile(paths.log, `${lines.slice(0, 2).join('\n')}\n`);
    await expect(openTestWriter(paths)).rejects.toThrow(/ends at index 1 but its signed head names index 2/);
  });
});
