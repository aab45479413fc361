import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit/audit-log.ts';
import { parseCidr } from './security-schema.ts';

// `alerts:` — rules over the audit event stream: "N events of a type per IP / key / overall within M seconds" →
// block the IP for T minutes, or record an `alert` event. Checked here at boot; the engine is src/alerts/.

/** Events the alert engine writes itself: a rule on them could feed on its own output. */
export const ALERT_OWN_EVENTS: readonly AuditEventType[] = ['alert', 'ip_blocked', 'ip_unblocked'];

/** The largest threshold: the engine keeps up to `threshold` timestamps per tracked subject. */
export const MAX_ALERT_THRESHOLD = 1000;

const ruleObject = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be 1-64 characters of a-z, 0-9, . _ - (starting with a letter or digit)' })
      .describe('Stable rule id, named in `alert` and `ip_blocked` audit events and in the block reason.'),
    // The engine's own events are left out, so a rule can never feed on what it writes.
    on: z
      .enum(AUDIT_EVENT_TYPES)
      .exclude(['alert', 'ip_blocked', 'ip_unblocked'])
      .describe('The audit event type counted (e.g. auth_failure, rate_limited, waf_block, security_violation).'),
    per: z
      .enum(['ip', 'key', 'global'])
      .describe('Counted per client address (IPv6 per /64), per client key, or over all events together.'),
    threshold: z.number().int().min(1).max(MAX_ALERT_THRESHOLD).describe('Events within the window that trigger the rule.'),
    windowSeconds: z.number().int().min(1).max(86_400).describe('Length of the sliding window, in seconds.'),
    action: z.enum(['block-ip', 'alert']).describe('block-ip: refuse the address for blockMinutes (and record ip_blocked); alert: record an `alert` event.'),
    blockMinutes: z
      .number()
      .int()
      .min(1)
      .max(43_200)
      .default(15)
      .describe('How long a block-ip rule blocks the address, in minutes (at most 30 days).'),
  })
  .superRefine((rule, ctx) => {
    // Only an address can be blocked: a key or global count names none.
    if (rule.action === 'block-ip' && rule.per !== 'ip') ctx.addIssue({ code: 'custom', path: ['per'], message: 'action block-ip needs per: ip' });
  });

/** The rules Rampart runs when `alerts.rules` is not set: brute force is blocked, a flood of refusals is reported. */
export const DEFAULT_ALERT_RULES = [
  { id: 'auth-failures-per-ip', on: 'auth_failure', per: 'ip', threshold: 20, windowSeconds: 300, action: 'block-ip', blockMinutes: 15 },
  { id: 'rate-limit-spike', on: 'rate_limited', per: 'global', threshold: 100, windowSeconds: 60, action: 'alert', blockMinutes: 15 },
] as const satisfies readonly z.input<typeof ruleObject>[];

const cidrSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  // Never quote the value: it may come from ${ENV}.
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const alertsObject = z.strictObject({
  rules: z
    .array(ruleObject)
    .max(100)
    .default(() => DEFAULT_ALERT_RULES.map((rule) => ({ ...rule })))
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      rules.forEach((rule, index) => {
        if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: 'duplicate rule id' });
        seen.add(rule.id);
      });
    })
    .describe('Alert rules; replaces the defaults (20 auth failures per IP in 5 min → 15 min block; 100 rate-limit refusals in 1 min → alert). [] turns alerting off.'),
  neverBlock: z
    .array(cidrSchema)
    .max(1000)
    .default([])
    .describe('Addresses or CIDRs block-ip rules never block (monitoring hosts, office ranges); the alert is still recorded.'),
  maxTrackedSubjects: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(10_000)
    .describe('Most addresses or keys each rule tracks at once; the least recently seen is forgotten first (bounded memory).'),
});

/** `alerts:` — rules over audit events that block addresses or record alerts. */
export const alertsSchema = alertsObject.default(() => alertsObject.parse({}));

/** The parsed `alerts:` section, defaults applied. */
export type AlertsConfig = z.output<typeof alertsSchema>;

/** One rule of `alerts.rules`. */
export type AlertRule = AlertsConfig['rules'][number];
