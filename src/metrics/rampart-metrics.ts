import type { Registry } from 'prom-client';
import type { AuditLog, AuditRecord } from '../audit/audit-log.ts';
import type { Usage } from '../formats/canonical/types.ts';
import type { RequestMetricsSink } from '../pipeline/request-metrics.ts';
import type { ProxyObserver } from '../proxy/proxy-observer.ts';
import { authFailureReason, rateLimitScope, statusClass, upstreamErrorKind } from './label-values.ts';
import { OTHER, PROVIDER_NONE, ROUTE_UNMATCHED, SECURITY_EVENT_TYPES, STATUS_CLASSES } from './names.ts';
import { type MetricSet, createMetricsRegistry } from './registry.ts';

/** A configured upstream credential, as the cooldown gauge lists it. */
export interface CredentialRef {
  providerId: string;
  credentialId: string;
}

/** Where the metrics read what they do not count themselves. */
export interface RampartMetricsOptions {
  /** Configured provider ids: the only provider label values (anything else becomes `other`). */
  providerIds: readonly string[];
  /** Every configured credential (config and vault), read at scrape time. */
  credentials?: () => Iterable<CredentialRef>;
  /** Credential ids with an active cooldown right now (CooldownTracker.list()), read at scrape time. */
  coolingCredentialIds?: () => Iterable<string>;
  /** How many IP addresses are blocked right now, read at scrape time. */
  blockedIps?: () => number;
  /** Include prom-client's process_* and nodejs_* metrics (default true). */
  defaultMetrics?: boolean;
}

type Labels = Record<string, string>;

/** A route's label objects, built once: the hot path passes them to prom-client and allocates none. */
type RequestCells = Map<string, Labels[]>;

/** Distinct route patterns tracked before new ones count as `other` (the proxy has a few dozen). */
const MAX_ROUTES = 256;

/**
 * Rampart's metrics: the registry, the hot-path recorders (request metrics step, upstream observer) and the audit
 * subscription feeding the security counters. Label objects are cached per value combination, all of them bounded.
 */
export class RampartMetrics implements ProxyObserver, RequestMetricsSink {
  /** The registry the metrics listener serves. */
  readonly registry: Registry;
  readonly #m: MetricSet;
  readonly #providers: ReadonlySet<string>;
  readonly #requests = new Map<string, RequestCells>();
  readonly #providerLabels = new Map<string, Labels>();
  readonly #errorLabels = new Map<string, Labels>();
  readonly #tokenLabels = new Map<string, { input: Labels; output: Labels; cached: Labels; cacheWrite: Labels; reasoning: Labels }>();
  readonly #auditLabels = new Map<string, Labels>();

  constructor(options: RampartMetricsOptions) {
    this.#providers = new Set(options.providerIds);
    const { credentials, coolingCredentialIds, blockedIps } = options;
    const { registry, metrics } = createMetricsRegistry({
      defaultMetrics: options.defaultMetrics ?? true,
      collect: {
        blockedIps: () => metrics.blockedIps.set(blockedIps?.() ?? 0),
        credentialCooling: () => {
          const gauge = metrics.credentialCooling;
          gauge.reset();
          if (credentials === undefined) return;
          const cooling = new Set(coolingCredentialIds?.() ?? []);
          for (const { providerId, credentialId } of credentials()) {
            gauge.set({ provider: this.#provider(providerId), credential: credentialId }, cooling.has(credentialId) ? 1 : 0);
          }
        },
      },
    });
    this.registry = registry;
    this.#m = metrics;
  }

  /** One answered request of the proxy listener. */
  observeRequest(route: string | undefined, provider: string | null, status: number, seconds: number): void {
    const labels = this.#requestLabels(route ?? ROUTE_UNMATCHED, provider === null ? PROVIDER_NONE : this.#provider(provider), status);
    this.#m.httpRequests.inc(labels);
    this.#m.httpRequestDuration.observe(labels, seconds);
  }

  upstreamResponded(providerId: string, seconds: number): void {
    this.#m.upstreamDuration.observe(this.#providerLabel(providerId), seconds);
  }

  upstreamFailed(providerId: string, error: unknown): void {
    const kind = upstreamErrorKind(error);
    if (kind === undefined) return;
    const provider = this.#provider(providerId);
    const key = `${provider}\u0000${kind}`;
    let labels = this.#errorLabels.get(key);
    if (labels === undefined) {
      labels = { provider, kind };
      this.#errorLabels.set(key, labels);
    }
    this.#m.upstreamErrors.inc(labels);
  }

  streamStarted(providerId: string): void {
    this.#m.streamsInFlight.inc(this.#providerLabel(providerId));
  }

  streamEnded(providerId: string): void {
    this.#m.streamsInFlight.dec(this.#providerLabel(providerId));
  }

  usage(providerId: string, usage: Usage): void {
    const provider = this.#provider(providerId);
    let labels = this.#tokenLabels.get(provider);
    if (labels === undefined) {
      const of = (kind: string): Labels => ({ provider, kind });
      labels = { input: of('input'), output: of('output'), cached: of('cached_input'), cacheWrite: of('cache_write'), reasoning: of('reasoning') };
      this.#tokenLabels.set(provider, labels);
    }
    const tokens = this.#m.tokens;
    add(tokens, labels.input, usage.inputTokens);
    add(tokens, labels.output, usage.outputTokens);
    add(tokens, labels.cached, usage.cachedInputTokens);
    add(tokens, labels.cacheWrite, usage.cacheWriteInputTokens);
    add(tokens, labels.reasoning, usage.reasoningTokens);
  }

  /** Counts auth failures, rate-limit violations and security events as the audit log writes them. */
  subscribe(audit: AuditLog): () => void {
    return audit.subscribe((record) => this.recordAudit(record));
  }

  /** Counts one audit record (the subscription's listener; exposed for tests). */
  recordAudit(record: Pick<AuditRecord, 'type' | 'details'>): void {
    switch (record.type) {
      case 'auth_failure':
        this.#m.authFailures.inc(this.#auditLabel('reason', authFailureReason(record.details)));
        return;
      case 'rate_limited':
        this.#m.rateLimitViolations.inc(this.#auditLabel('scope', rateLimitScope(record.details)));
        return;
      default:
        if ((SECURITY_EVENT_TYPES as readonly string[]).includes(record.type)) this.#m.securityEvents.inc(this.#auditLabel('type', record.type));
    }
  }

  /** The exposition text of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  #provider(id: string): string {
    return this.#providers.has(id) ? id : OTHER;
  }

  #providerLabel(providerId: string): Labels {
    const provider = this.#provider(providerId);
    let labels = this.#providerLabels.get(provider);
    if (labels === undefined) {
      labels = { provider };
      this.#providerLabels.set(provider, labels);
    }
    return labels;
  }

  #requestLabels(route: string, provider: string, status: number): Labels {
    let byProvider = this.#requests.get(route);
    if (byProvider === undefined) {
      if (this.#requests.size >= MAX_ROUTES && route !== OTHER) return this.#requestLabels(OTHER, provider, status);
      byProvider = new Map();
      this.#requests.set(route, byProvider);
    }
    let byClass = byProvider.get(provider);
    if (byClass === undefined) {
      byClass = STATUS_CLASSES.map((c) => ({ route, provider, status_class: c }));
      byProvider.set(provider, byClass);
    }
    return byClass[STATUS_CLASSES.indexOf(statusClass(status))]!;
  }

  #auditLabel(name: string, value: string): Labels {
    const key = `${name}\u0000${value}`;
    let labels = this.#auditLabels.get(key);
    if (labels === undefined) {
      labels = { [name]: value };
      this.#auditLabels.set(key, labels);
    }
    return labels;
  }
}

function add(counter: MetricSet['tokens'], labels: Labels, tokens: number | undefined): void {
  if (tokens !== undefined && Number.isFinite(tokens) && tokens > 0) counter.inc(labels, tokens);
}
