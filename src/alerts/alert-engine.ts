import type { AuditEventInput, AuditLog } from '../audit/audit-log.ts';
import { ALERT_OWN_EVENTS, type AlertRule, type AlertsConfig } from '../config/alerts-schema.ts';
import { parseStrictIp } from '../config/security-schema.ts';
import { type CidrList, compileCidrList } from '../pipeline/client-ip.ts';
import { blockSubject, type IpBlockList } from './ip-block-list.ts';
import { SlidingWindowCounter } from './sliding-window.ts';

/** Where the engine reports what it did besides the audit log (the process log); optional. */
export interface AlertLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of the AlertEngine. */
export interface AlertEngineOptions {
  config: AlertsConfig;
  /** The events counted come from here, and `alert` / `ip_blocked` events go back to it. */
  audit: AuditLog;
  blocks: IpBlockList;
  log?: AlertLog;
  /** Monotonic milliseconds for the windows (injected by tests); wall-clock jumps must not open or close a window. */
  clock?: () => number;
}

interface CompiledRule {
  rule: AlertRule;
  counter: SlidingWindowCounter;
}

/**
 * Alert rules over the audit event stream: counts each rule's event type per address / key / overall in a sliding
 * window, and on reaching the threshold blocks the address (action block-ip, recording `ip_blocked`) or records an
 * `alert` event. The engine ignores the events it writes, so it can never feed on itself.
 */
export class AlertEngine {
  readonly #audit: AuditLog;
  readonly #blocks: IpBlockList;
  readonly #log: AlertLog | undefined;
  readonly #clock: () => number;
  readonly #neverBlock: CidrList;
  readonly #byType = new Map<string, CompiledRule[]>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: AlertEngineOptions) {
    this.#audit = options.audit;
    this.#blocks = options.blocks;
    this.#log = options.log;
    this.#clock = options.clock ?? (() => performance.now());
    this.#neverBlock = compileCidrList(options.config.neverBlock, 'alerts.neverBlock');
    for (const rule of options.config.rules) {
      const counter = new SlidingWindowCounter({ threshold: rule.threshold, windowMs: rule.windowSeconds * 1000, maxSubjects: options.config.maxTrackedSubjects });
      const list = this.#byType.get(rule.on) ?? [];
      list.push({ rule, counter });
      this.#byType.set(rule.on, list);
    }
  }

  /** Starts listening to the audit log (no-op without rules). */
  start(): void {
    if (this.#unsubscribe !== undefined || this.#byType.size === 0) return;
    this.#unsubscribe = this.#audit.subscribe((record) => this.observe(record));
  }

  /** Stops listening. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Counts one event against the rules watching its type, acting on those it triggers. */
  observe(event: AuditEventInput): void {
    if (ALERT_OWN_EVENTS.includes(event.type)) return;
    const rules = this.#byType.get(event.type);
    if (rules === undefined) return;
    const now = this.#clock();
    for (const { rule, counter } of rules) {
      const subject = subjectOf(rule, event);
      if (subject === undefined) continue;
      if (counter.hit(subject, now)) this.#trigger(rule, subject, event);
    }
  }

  #trigger(rule: AlertRule, subject: string, event: AuditEventInput): void {
    const facts = { rule: rule.id, on: rule.on, per: rule.per, threshold: rule.threshold, windowSeconds: rule.windowSeconds };
    if (rule.action === 'alert') {
      this.#log?.warn({ ...facts, subject }, 'alert rule triggered');
      this.#record({ type: 'alert', actor: 'system', ip: rule.per === 'ip' ? subject : undefined, requestId: event.requestId, outcome: 'detected', details: { ...facts, subject: rule.per === 'global' ? undefined : subject } });
      return;
    }
    if (this.#isExempt(event.ip)) {
      // The operator said never to block this address; the burst is still worth knowing about.
      this.#record({ type: 'alert', actor: 'system', ip: subject, requestId: event.requestId, outcome: 'detected', details: { ...facts, exempt: true } });
      return;
    }
    const reason = `alert rule ${rule.id}: ${rule.threshold} ${rule.on} within ${rule.windowSeconds}s`;
    this.#blocks.block(subject, rule.blockMinutes, reason, `alert:${rule.id}`).then(
      (block) => {
        this.#log?.warn({ ...facts, ip: subject, until: block.until.toISOString() }, 'address blocked by alert rule');
      },
      (error: unknown) => this.#log?.error({ err: error, rule: rule.id }, 'storing an IP block failed (it holds in this process until restart)'),
    );
    // The block is in force from here on (in memory); the event follows at once, not after the database write.
    const until = this.#blocks.find(subject)?.until;
    this.#record({
      type: 'ip_blocked',
      actor: 'system',
      ip: subject,
      requestId: event.requestId,
      outcome: 'blocked',
      details: { ...facts, minutes: rule.blockMinutes, until: until?.toISOString(), reason },
    });
  }

  #isExempt(ip: string | undefined): boolean {
    if (ip === undefined || this.#neverBlock.size === 0) return false;
    const address = parseStrictIp(ip);
    return address !== undefined && this.#neverBlock.contains(address);
  }

  #record(event: AuditEventInput): void {
    try {
      this.#audit.record(event);
    } catch (error) {
      this.#log?.error({ err: error }, 'alert engine: writing an audit event failed');
    }
  }
}

/** Who an event is counted against under a rule, or undefined when the event names no such subject. */
function subjectOf(rule: AlertRule, event: AuditEventInput): string | undefined {
  switch (rule.per) {
    case 'global':
      return '*';
    case 'key':
      return event.actor.startsWith('key:') ? event.actor : undefined;
    case 'ip':
      return event.ip === undefined ? undefined : blockSubject(event.ip);
  }
}
