import { z } from 'zod';
import { canonicalJson } from './audit-record.ts';
import type { AuditFileIo } from './audit-io.ts';
import { headMessage, type SigningKey, signMessage, type VerifyingKey, verifyMessage } from './audit-keys.ts';

/** The signed head file: the last durable record and the last checkpoint, as the writer last saw them. */
export interface AuditHead {
  index: number;
  hash: string;
  time: string;
  /** Index of the last checkpoint record, -1 before the first. */
  checkpointIndex: number;
  /** When the last checkpoint was written (or the log started). */
  checkpointTime: string;
}

const headSchema = z.strictObject({
  v: z.literal(1),
  index: z.number().int().min(-1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.iso.datetime(),
  checkpointIndex: z.number().int().min(-1),
  checkpointTime: z.iso.datetime(),
  keyId: z.string(),
  signature: z.string(),
});

/** The head file's text for `head`, signed. */
export function formatHead(head: AuditHead, key: SigningKey): string {
  return `${canonicalJson({ v: 1, ...head, keyId: key.keyId, signature: signMessage(key, headMessage(head)) })}\n`;
}

/** Parses and checks the head file; a problem is a one-line reason. */
export function parseHead(text: string, key: VerifyingKey): { ok: true; head: AuditHead } | { ok: false; problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'the head file is not JSON' };
  }
  const parsed = headSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: 'the head file is malformed' };
  const { v: _version, keyId, signature, ...head } = parsed.data;
  if (keyId !== key.keyId) return { ok: false, problem: `the head file is signed by another key (${keyId}, expected ${key.keyId})` };
  if (!verifyMessage(key, headMessage(head), signature)) return { ok: false, problem: 'the head file signature is invalid' };
  return { ok: true, head };
}

/** The end of audit.jsonl: its last complete line and any bytes after it (a torn write). */
export interface AuditTail {
  /** The last newline-terminated line (without the newline), or undefined for an empty log. */
  lastLine: string | undefined;
  /** Bytes up to and including the last newline: where the next record goes once a torn tail is cut. */
  intactSize: number;
  /** Bytes after the last newline; empty when the file ends cleanly. */
  torn: Buffer;
}

const CHUNK = 65_536;
/** Longest line looked for: records are capped far below it (details ≤ 16 KiB), so more is corruption. */
const MAX_SCAN = 4 * 1024 * 1024;

/** Reads the tail of audit.jsonl backwards in chunks, never the whole file. */
export async function readTail(io: AuditFileIo, size: number): Promise<AuditTail> {
  let buffer = Buffer.alloc(0);
  let start = size;
  for (;;) {
    const from = Math.max(0, start - CHUNK);
    buffer = Buffer.concat([await io.read(from, start - from), buffer]);
    start = from;
    const lastNewline = buffer.lastIndexOf(0x0a);
    if (lastNewline < 0) {
      if (start === 0) return { lastLine: undefined, intactSize: 0, torn: buffer };
    } else {
      const previous = lastNewline === 0 ? -1 : buffer.lastIndexOf(0x0a, lastNewline - 1);
      if (previous >= 0 || start === 0) {
        return {
          lastLine: buffer.subarray(previous + 1, lastNewline).toString('utf8'),
          intactSize: start + lastNewline + 1,
          torn: buffer.subarray(lastNewline + 1),
        };
      }
    }
    if (size - start > MAX_SCAN) throw Object.assign(new Error('the last audit line is longer than 4 MiB: the file is corrupt'), { code: 'ECORRUPT' });
  }
}
