import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEventStore } from '../storage/ports.ts';
import type { AuditEventInput } from './audit-log.ts';
import { auditPaths, type AuditPaths } from './audit-files.ts';
import type { AuditFileIo } from './audit-io.ts';
import { AuditWriter, type AuditWriterOptions } from './audit-writer.ts';

/** A fresh audit folder under the OS temp dir (tests only). */
export async function tempAuditPaths(): Promise<AuditPaths> {
  return auditPaths(path.join(await mkdtemp(path.join(tmpdir(), 'rampart-audit-')), 'audit'));
}

/** Opens a writer with small, fast settings (tests only). */
export function openTestWriter(
  paths: AuditPaths,
  overrides: Partial<Omit<AuditWriterOptions, 'paths'>> & { store?: AuditEventStore; io?: AuditFileIo } = {},
): Promise<AuditWriter> {
  return AuditWriter.open({
    paths,
    writeTimeoutMs: 1000,
    flushIntervalMs: 1,
    batchSize: 64,
    maxQueuedEvents: 1000,
    checkpoint: { everyRecords: 1000, everySeconds: 3600 },
    ...overrides,
  });
}

/** An event of a given number. */
export function testEvent(n: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return { type: 'key_created', actor: 'cli', outcome: 'success', details: { n }, ...overrides };
}
