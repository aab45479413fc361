import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStorage } from '../storage/open-storage.ts';
import type { AuditEventStore, Storage } from '../storage/ports.ts';
import type { AuditPaths } from './audit-files.ts';
import { checkpointMessage, keyIdOf, loadOrCreateSigningKey, type SigningKey, signMessage } from './audit-keys.ts';
import type { AuditRecord } from './audit-log.ts';
import { parseRecordLine, recordHash, recordLine } from './audit-record.ts';
import { openTestWriter, tempAuditPaths, testEvent } from './audit-test-helpers.ts';
import { verifyAuditLog } from './audit-verify.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Log {
  paths: AuditPaths;
  key: SigningKey;
  storage: Storage;
  lines: string[];
}

/** Ten records: e0 e1 e2 cp3 e4 e5 e6 cp7 e8 e9 (a checkpoint every 3 records), mirrored in a real SQLite table. */
async function buildLog(): Promise<Log> {
  const paths = await tempAuditPaths();
  const storage = await openStorage(path.dirname(paths.dir));
  cleanups.push(() => storage.close());
  const writer = await openTestWriter(paths, { store: storage.auditEvents, checkpoint: { everyRecords: 3, everySeconds: 3600 } });
  for (let i = 0; i < 8; i++) await writer.recordDurable(testEvent(i, { actor: `user:u${i}` }));
  await writer.close();
  const lines = (await readFile(paths.log, 'utf8')).split('\n').filter((l) => l !== '');
  expect(lines.length).toBe(10);
  return { paths, key: await loadOrCreateSigningKey(paths), storage, lines };
}

function parse(line: string): AuditRecord {
  const parsed = parseRecordLine(line);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.record;
}

/** Re-hashes records from `from` on, as a forger without the signing key can. */
function rechain(records: AuditRecord[], from: number): string[] {
  for (let i = from; i < records.length; i++) {
    const record = records[i];
    if (record === undefined) continue;
    if (i > 0) record.prev = records[i - 1]?.hash ?? '';
    const { hash: _old, ...rest } = record;
    record.hash = recordHash(rest);
  }
  return records.map(recordLine);
}

async function write(log: Log, lines: string[], trailingNewline = true): Promise<void> {
  await writeFile(log.paths.log, lines.join('\n') + (trailingNewline ? '\n' : ''));
}

describe('verifyAuditLog', () => {
  it('reports an intact log: records, checkpoints, head', async () => {
    const log = await buildLog();
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report).toMatchObject({ ok: true, records: 10, checkpoints: 2, lastIndex: 9, firstBadIndex: null, problems: [] });
    expect(report.head?.index).toBe(9);
  });

  it('an edited field names the edited record', async () => {
    const log = await buildLog();
    const lines = [...log.lines];
    lines[4] = (lines[4] ?? '').replace('"user:u3"', '"user:uX"');
    expect(lines[4]).toContain('user:uX');
    await write(log, lines);
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(4);
  });

  it('an edited record with a recomputed hash is still named (link, checkpoint, table)', async () => {
    const log = await buildLog();
    const records = log.lines.map(parse);
    const target = records[5];
    if (target === undefined) throw new Error('no record 5');
    target.actor = 'user:forged';
    const { hash: _h, ...rest } = target;
    target.hash = recordHash(rest);
    await write(log, records.map(recordLine));
    expect((await verifyAuditLog(log.paths, log.key)).firstBadIndex).toBe(5);
    expect((await verifyAuditLog(log.paths, log.key, log.storage.auditEvents)).firstBadIndex).toBe(5);
  });

  it('a deleted line names the missing record', async () => {
    const log = await buildLog();
    await write(log, log.lines.filter((_, i) => i !== 5));
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(5);
  });

  it('two swapped lines name the first of them', async () => {
    const log = await buildLog();
    const lines = [...log.lines];
    [lines[5], lines[6]] = [lines[6] ?? '', lines[5] ?? ''];
    await write(log, lines);
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report.firstBadIndex).toBe(5);
  });

  it('an inserted forged line with a correct hash and link names its index, with or without the table', async () => {
    const log = await buildLog();
    const previous = parse(log.lines[4] ?? '');
    const forged = { ...parse(log.lines[5] ?? ''), actor: 'user:intruder', prev: previous.hash };
    const { hash: _h, ...rest } = forged;
    forged.hash = recordHash(rest);
    const lines = [...log.lines];
    lines.splice(5, 0, recordLine(forged));
    await write(log, lines);
    expect(parseRecordLine(lines[5] ?? '').ok).toBe(true);
    expect((await verifyAuditLog(log.paths, log.key)).firstBadIndex).toBe(5);
    expect((await verifyAuditLog(log.paths, log.key, log.storage.auditEvents)).firstBadIndex).toBe(5);
  });

  it('a tail cut by whole lines is found through the signed head and the table', async () => {
    const log = await buildLog();
    await write(log, log.lines.slice(0, 8));
    const withoutTable = await verifyAuditLog(log.paths, log.key);
    expect(withoutTable.firstBadIndex).toBe(8);
    expect(withoutTable.problems.map((p) => p.kind)).toContain('truncated');
    expect((await verifyAuditLog(log.paths, log.key, log.storage.auditEvents)).firstBadIndex).toBe(8);
  });

  it('a tail cut that also removed the last checkpoint is still found', async () => {
    const log = await buildLog();
    await write(log, log.lines.slice(0, 7));
    const report = await verifyAuditLog(log.paths, log.key);
    expect(report.firstBadIndex).toBe(7);
  });

  it('a tail cut in the middle of a line names that record', async () => {
    const log = await buildLog();
    const text = `${log.lines.join('\n')}\n`;
    const last = log.lines[9] ?? '';
    await writeFile(log.paths.log, text.slice(0, text.length - 1 - Math.floor(last.length / 2)));
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report.firstBadIndex).toBe(9);
    expect(report.problems.map((p) => p.kind)).toContain('torn');
  });

  it('a forged checkpoint (signed with another key, chain re-hashed) names the checkpoint', async () => {
    const log = await buildLog();
    const records = log.lines.map(parse);
    const checkpoint = records[3];
    if (checkpoint?.type !== 'audit_checkpoint') throw new Error('record 3 is not a checkpoint');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forger = { privateKey, publicKey, keyId: keyIdOf(publicKey) };
    // The forger keeps the genuine key id, so only the signature gives it away.
    checkpoint.details = {
      ...checkpoint.details,
      signature: signMessage(forger, checkpointMessage(2, checkpoint.prev, checkpoint.time)),
    };
    await write(log, rechain(records, 3));
    const report = await verifyAuditLog(log.paths, log.key);
    expect(report.firstBadIndex).toBe(3);
    expect(report.problems.find((p) => p.index === 3)?.kind).toBe('checkpoint');
  });

  it('a whole log re-signed with a replaced key fails against the operator’s own public key', async () => {
    const log = await buildLog();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forger = { privateKey, publicKey, keyId: keyIdOf(publicKey) };
    const records = log.lines.map(parse);
    records.forEach((record, i) => {
      if (i > 0) record.prev = records[i - 1]?.hash ?? '';
      if (record.type === 'audit_checkpoint') {
        const signature = signMessage(forger, checkpointMessage(record.index - 1, record.prev, record.time));
        record.details = { ...record.details, head: record.prev, keyId: forger.keyId, signature };
      }
      const { hash: _old, ...rest } = record;
      record.hash = recordHash(rest);
    });
    await write(log, records.map(recordLine));
    expect((await verifyAuditLog(log.paths, forger)).problems.filter((p) => p.kind === 'checkpoint')).toEqual([]);
    const report = await verifyAuditLog(log.paths, log.key);
    expect(report.ok).toBe(false);
    expect(report.firstBadIndex).toBe(3);
  });
});

describe('verify beside a running writer', () => {
  it('records appended while it reads are a note, not tampering (the table and the file both moved on)', async () => {
    const log = await buildLog();
    const writer = await openTestWriter(log.paths, { store: log.storage.auditEvents });
    cleanups.push(() => writer.close());
    // A store that lets the server write two more records at the moment verify asks the table how far it goes.
    const real = log.storage.auditEvents;
    const store: AuditEventStore = {
      append: (records) => real.append(records),
      range: (from, limit) => real.range(from, limit),
      tail: (limit, type) => real.tail(limit, type),
      query: (filter) => real.query(filter),
      lastIndex: async () => {
        await writer.recordDurable(testEvent(100));
        await writer.recordDurable(testEvent(101));
        await writer.close();
        return real.lastIndex();
      },
    };
    const report = await verifyAuditLog(log.paths, log.key, store);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.notes.join(' ')).toMatch(/written while verifying/);
    // Run again once quiet: everything, the new records included, checks out.
    const again = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(again.ok).toBe(true);
    expect(again.lastIndex).toBe(11);
  });

  it('a table ahead of a file that did not grow is still reported as removed records', async () => {
    const log = await buildLog();
    await write(log, log.lines.slice(0, 8));
    const report = await verifyAuditLog(log.paths, log.key, log.storage.auditEvents);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain('truncated');
  });
});
