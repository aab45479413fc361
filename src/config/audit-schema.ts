import { z } from 'zod';

// `audit:` — the tamper-evident audit log (docs/audit.md). Everything has a safe default: the log is always on.

const onFailureObject = z.strictObject({
  proxy: z
    .enum(['block', 'continue-and-alert'])
    .default('block')
    .describe(
      'What proxied requests get while the audit log cannot be written: block answers 503 RAMPART_AUDIT_UNAVAILABLE ' +
        '(nothing happens that the log cannot record); continue-and-alert serves them and logs an alert once per failure period.',
    ),
});

const checkpointObject = z.strictObject({
  everyRecords: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1000)
    .describe('A signed checkpoint record is appended after this many records.'),
  everySeconds: z
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe('A signed checkpoint record is appended at least this often while records are written, in seconds.'),
});

const auditObject = z.strictObject({
  dir: z
    .string()
    .min(1)
    .optional()
    .describe("Folder of audit.jsonl, its keys and head file (default: <dataDir>/audit); relative paths start at the config file's folder."),
  writeTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(5000)
    .default(5000)
    .describe('Longest wait for a durable audit write; past it a management action is refused. At most 5000 ms.'),
  onFailure: onFailureObject.default(() => onFailureObject.parse({})).describe('Policy while the audit log cannot be written.'),
  flushIntervalMs: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe(
      'Group commit: queued events are written and fsynced together at most this long after the first one, in ms. Durable writes (management actions) do not wait for it.',
    ),
  batchSize: z.number().int().min(1).max(10_000).default(256).describe('Group commit: most events written per write + fsync.'),
  maxQueuedEvents: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(10_000)
    .describe('Events held in memory while the sink fails; more are dropped, counted and reported in an audit_sink_failure record.'),
  checkpoint: checkpointObject.default(() => checkpointObject.parse({})).describe('Signed checkpoints (Ed25519).'),
});

/** `audit:` — where the audit log lives, its group commit, checkpoints and failure policy. */
export const auditSchema = auditObject.default(() => auditObject.parse({}));

/** The parsed `audit:` section, defaults applied. */
export type AuditConfig = z.output<typeof auditSchema>;
