/**
 * Every metric Rampart exposes, declared once: name, help, type, labels and buckets. The registry (registry.ts)
 * builds prom-client metrics from these, docs/metrics.md is generated from them, and the Grafana dashboard may only
 * use these names. Nothing else declares a metric.
 *
 * Label values are bounded by construction: routes are Fastify route patterns, providers and credentials are ids
 * from the configuration, everything else comes from the fixed value lists below. No metric carries a client key
 * id, an IP address, a key prefix or a model name.
 */

/** Prometheus metric types Rampart uses. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One metric's declaration. */
export interface MetricDeclaration {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Label name → what its values are (shown in docs/metrics.md). */
  readonly labels: Readonly<Record<string, string>>;
  /** Histogram bucket upper bounds, in the metric's unit. */
  readonly buckets?: readonly number[];
}

/** The `route` label of a request that matched no route (a 404): raw URLs never become label values. */
export const ROUTE_UNMATCHED = 'unmatched';
/** The `provider` label of a request that never reached a provider (refused, invalid, listed models). */
export const PROVIDER_NONE = 'none';
/** Any label value outside its known set. */
export const OTHER = 'other';

/** Values of `status_class`. */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Values of `kind` on upstream errors. */
export const UPSTREAM_ERROR_KINDS = [
  'auth',
  'bad_request',
  'not_found',
  'rate_limited',
  'server_error',
  'unavailable',
  'timeout',
  'redirect',
  'forbidden_address',
  'invalid_response',
  'stream_interrupted',
] as const;

/** Values of `kind` on token counters; `cached_input`, `cache_write` are part of `input`, `reasoning` of `output`. */
export const TOKEN_KINDS = ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const;

/** Values of `reason` on authentication failures: the audit event's `reason` (client-auth's refusal reasons), or its catalogue `code`. */
export const AUTH_FAILURE_REASONS = [
  'missing',
  'invalid',
  'no_keys',
  'revoked',
  'expired',
  'disabled',
  'query_key',
  'scope_model',
  'scope_provider',
  'scope_route',
  'scope_ip',
  'bad_password',
  'bad_totp',
  'session_invalid',
  'oauth',
  OTHER,
] as const;

/** Values of `scope` on rate-limit violations (from the audit event's `scope`). */
export const RATE_LIMIT_SCOPES = ['global', 'ip', 'key', 'key_concurrency', 'provider_rpm', 'provider_tpm', 'quota', OTHER] as const;

/** Audit event types counted as security events, and the values of `type`. */
export const SECURITY_EVENT_TYPES = ['waf_detect', 'waf_block', 'ip_denied', 'security_violation'] as const;

const list = (values: readonly string[]): string => values.map((v) => `\`${v}\``).join(', ');

/** Request durations: most answers take milliseconds to seconds; long generations and streams take minutes. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;
/** Time to the upstream's response headers (streams: until the stream opens). */
const UPSTREAM_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

const ROUTE = `Fastify route pattern of the proxy listener (e.g. \`/v1/chat/completions\`), \`${ROUTE_UNMATCHED}\` for 404s`;
const PROVIDER = `configured provider id, \`${PROVIDER_NONE}\` when no provider was tried, \`${OTHER}\` for an unknown id`;
const UPSTREAM_PROVIDER = `configured provider id (\`${OTHER}\` for an unknown id)`;

/** Every metric, by a short handle used in code. */
export const METRICS = {
  httpRequests: {
    name: 'rampart_http_requests_total',
    help: 'Requests answered by the proxy listener.',
    type: 'counter',
    labels: { route: ROUTE, provider: `last ${PROVIDER}`, status_class: list(STATUS_CLASSES) },
  },
  httpRequestDuration: {
    name: 'rampart_http_request_duration_seconds',
    help: 'Time from the request reaching the proxy listener until its answer was sent completely (streams included).',
    type: 'histogram',
    labels: { route: ROUTE, provider: `last ${PROVIDER}`, status_class: list(STATUS_CLASSES) },
    buckets: REQUEST_BUCKETS,
  },
  upstreamDuration: {
    name: 'rampart_upstream_request_duration_seconds',
    help: 'Time from sending an upstream attempt until its response headers arrived (any status).',
    type: 'histogram',
    labels: { provider: UPSTREAM_PROVIDER },
    buckets: UPSTREAM_BUCKETS,
  },
  upstreamErrors: {
    name: 'rampart_upstream_errors_total',
    help: 'Failed upstream attempts (each failover attempt counts); client disconnects are not upstream errors.',
    type: 'counter',
    labels: { provider: UPSTREAM_PROVIDER, kind: list(UPSTREAM_ERROR_KINDS) },
  },
  streamsInFlight: {
    name: 'rampart_streams_in_flight',
    help: 'Streamed answers being relayed to clients right now.',
    type: 'gauge',
    labels: { provider: UPSTREAM_PROVIDER },
  },
  tokens: {
    name: 'rampart_tokens_total',
    help: 'Tokens reported by upstream providers in successful answers.',
    type: 'counter',
    labels: { provider: UPSTREAM_PROVIDER, kind: list(TOKEN_KINDS) },
  },
  authFailures: {
    name: 'rampart_auth_failures_total',
    help: 'Failed authentications (client keys, dashboard logins), from the audit log.',
    type: 'counter',
    labels: { reason: list(AUTH_FAILURE_REASONS) },
  },
  rateLimitViolations: {
    name: 'rampart_rate_limit_violations_total',
    help: 'Requests refused by a rate limit or quota, from the audit log.',
    type: 'counter',
    labels: { scope: list(RATE_LIMIT_SCOPES) },
  },
  securityEvents: {
    name: 'rampart_security_events_total',
    help: 'WAF matches, refused IP addresses and other security violations, from the audit log.',
    type: 'counter',
    labels: { type: list(SECURITY_EVENT_TYPES) },
  },
  blockedIps: {
    name: 'rampart_blocked_ips',
    help: 'IP addresses blocked right now (by alert rules or by hand). A count: addresses are listed by the CLI, never as labels.',
    type: 'gauge',
    labels: {},
  },
  credentialCooling: {
    name: 'rampart_credential_cooling',
    help: 'Per configured upstream credential: 1 while it cools down after a failure (for every model or for one), else 0.',
    type: 'gauge',
    labels: { provider: 'configured provider id', credential: 'credential id from the configuration or the vault (never a secret)' },
  },
} as const satisfies Record<string, MetricDeclaration>;

/** Handles of the declared metrics. */
export type MetricHandle = keyof typeof METRICS;

/** Prefixes of the default process metrics prom-client adds (process_*, nodejs_*); documented as a group. */
export const DEFAULT_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;
