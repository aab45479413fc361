import { describe, expect, it } from 'vitest';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import { RampartError } from '../errors/catalogue.ts';
import { ClientAbortedError } from '../upstream/upstream-client.ts';
import { RampartMetrics } from './rampart-metrics.ts';

/** The value of one series in the exposition text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const build = (extra: Partial<ConstructorParameters<typeof RampartMetrics>[0]> = {}) =>
  new RampartMetrics({ providerIds: ['alpha', 'beta'], defaultMetrics: false, ...extra });

describe('RampartMetrics', () => {
  it('counts requests by route pattern, provider and status class, with latency', async () => {
    const metrics = build();
    metrics.observeRequest('/v1/chat/completions', 'alpha', 200, 0.02);
    metrics.observeRequest('/v1/chat/completions', 'alpha', 201, 0.03);
    metrics.observeRequest('/v1/chat/completions', null, 401, 0.001);
    metrics.observeRequest(undefined, null, 404, 0.001);
    const text = await metrics.render();
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="alpha",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'rampart_http_requests_total{route="/v1/chat/completions",provider="none",status_class="4xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_requests_total{route="unmatched",provider="none",status_class="4xx"}')).toBe(1);
    expect(sample(text, 'rampart_http_request_duration_seconds_count{route="/v1/chat/completions",provider="alpha",status_class="2xx"}')).toBe(2);
    expect(sample(text, 'rampart_http_request_duration_seconds_sum{route="/v1/chat/completions",provider="alpha",status_class="2xx"}')).toBeCloseTo(0.05);
  });

  it('bounds labels: unknown providers become `other`, and routes past the cap too', async () => {
    const metrics = build();
    metrics.observeRequest('/x', 'not-configured', 500, 0.1);
    for (let i = 0; i < 300; i++) metrics.observeRequest(`/r${i}`, null, 200, 0.001);
    const text = await metrics.render();
    expect(sample(text, 'rampart_http_requests_total{route="/x",provider="other",status_class="5xx"}')).toBe(1);
    const routes = new Set([...text.matchAll(/rampart_http_requests_total\{route="([^"]*)"/g)].map((m) => m[1]));
    expect(routes.size).toBeLessThanOrEqual(257);
    expect(routes.has('other')).toBe(true);
  });

  it('records upstream latency, errors by kind (not client aborts), streams and tokens', async () => {
    const metrics = build();
    metrics.upstreamResponded('alpha', 0.2);
    metrics.upstreamFailed('alpha', new RampartError('RAMPART_UPSTREAM_RATE_LIMITED'));
    metrics.upstreamFailed('alpha', new RampartError('RAMPART_UPSTREAM_TIMEOUT'));
    metrics.upstreamFailed('alpha', new RampartError('RAMPART_UPSTREAM_TIMEOUT'));
    metrics.upstreamFailed('alpha', new ClientAbortedError('gone'));
    metrics.upstreamFailed('alpha', new RampartError('RAMPART_RATE_LIMITED'));
    metrics.streamStarted('beta');
    metrics.streamStarted('beta');
    metrics.streamEnded('beta');
    metrics.usage('alpha', { inputTokens: 10, outputTokens: 5, cachedInputTokens: 4, reasoningTokens: 2 });
    metrics.usage('alpha', { inputTokens: 1, outputTokens: 0 });
    const text = await metrics.render();
    expect(sample(text, 'rampart_upstream_request_duration_seconds_count{provider="alpha"}')).toBe(1);
    expect(sample(text, 'rampart_upstream_errors_total{provider="alpha",kind="rate_limited"}')).toBe(1);
    expect(sample(text, 'rampart_upstream_errors_total{provider="alpha",kind="timeout"}')).toBe(2);
    expect(text.match(/^rampart_upstream_errors_total\{/gm)?.length).toBe(2);
    expect(sample(text, 'rampart_streams_in_flight{provider="beta"}')).toBe(1);
    expect(sample(text, 'rampart_tokens_total{provider="alpha",kind="input"}')).toBe(11);
    expect(sample(text, 'rampart_tokens_total{provider="alpha",kind="output"}')).toBe(5);
    expect(sample(text, 'rampart_tokens_total{provider="alpha",kind="cached_input"}')).toBe(4);
    expect(sample(text, 'rampart_tokens_total{provider="alpha",kind="reasoning"}')).toBe(2);
    expect(sample(text, 'rampart_tokens_total{provider="alpha",kind="cache_write"}')).toBeUndefined();
  });

  it('feeds the security counters from the audit log, with unknown reasons and scopes as `other`', async () => {
    const audit = new MemoryAuditLog();
    const metrics = build();
    const unsubscribe = metrics.subscribe(audit);
    audit.record({ type: 'auth_failure', actor: 'anonymous', outcome: 'denied', details: { reason: 'invalid' } });
    audit.record({ type: 'auth_failure', actor: 'anonymous', outcome: 'denied', details: { code: 'RAMPART_AUTH_KEY_REVOKED' } });
    // A producer putting something unexpected (here a key-shaped string) in `reason` must not create a label value.
    audit.record({ type: 'auth_failure', actor: 'anonymous', outcome: 'denied', details: { reason: 'rk_live_abcdef123456' } });
    audit.record({ type: 'rate_limited', actor: 'key:k1', outcome: 'denied', details: { scope: 'ip' } });
    audit.record({ type: 'rate_limited', actor: 'key:k1', outcome: 'denied', details: { scope: '10.0.0.1' } });
    audit.record({ type: 'waf_block', actor: 'key:k1', outcome: 'blocked' });
    audit.record({ type: 'waf_detect', actor: 'key:k1', outcome: 'detected' });
    audit.record({ type: 'ip_denied', actor: 'anonymous', ip: '203.0.113.9', outcome: 'denied' });
    audit.record({ type: 'security_violation', actor: 'anonymous', outcome: 'denied' });
    audit.record({ type: 'key_created', actor: 'cli', outcome: 'success' });
    unsubscribe();
    audit.record({ type: 'waf_block', actor: 'key:k1', outcome: 'blocked' });
    const text = await metrics.render();
    expect(sample(text, 'rampart_auth_failures_total{reason="invalid"}')).toBe(1);
    expect(sample(text, 'rampart_auth_failures_total{reason="revoked"}')).toBe(1);
    expect(sample(text, 'rampart_auth_failures_total{reason="other"}')).toBe(1);
    expect(sample(text, 'rampart_rate_limit_violations_total{scope="ip"}')).toBe(1);
    expect(sample(text, 'rampart_rate_limit_violations_total{scope="other"}')).toBe(1);
    expect(sample(text, 'rampart_security_events_total{type="waf_block"}')).toBe(1);
    expect(sample(text, 'rampart_security_events_total{type="waf_detect"}')).toBe(1);
    expect(sample(text, 'rampart_security_events_total{type="ip_denied"}')).toBe(1);
    expect(sample(text, 'rampart_security_events_total{type="security_violation"}')).toBe(1);
    expect(text).not.toContain('rk_live');
    expect(text).not.toContain('203.0.113.9');
    expect(text).not.toContain('10.0.0.1');
  });

  it('reads cooldowns and blocked IPs at scrape time, for configured credentials only', async () => {
    let cooling = ['alpha#0', 'stale-id'];
    let blocked = 3;
    const metrics = build({
      credentials: () => [
        { providerId: 'alpha', credentialId: 'alpha#0' },
        { providerId: 'alpha', credentialId: 'alpha#1' },
      ],
      coolingCredentialIds: () => cooling,
      blockedIps: () => blocked,
    });
    let text = await metrics.render();
    expect(sample(text, 'rampart_credential_cooling{provider="alpha",credential="alpha#0"}')).toBe(1);
    expect(sample(text, 'rampart_credential_cooling{provider="alpha",credential="alpha#1"}')).toBe(0);
    expect(text).not.toContain('stale-id');
    expect(sample(text, 'rampart_blocked_ips')).toBe(3);
    cooling = [];
    blocked = 0;
    text = await metrics.render();
    expect(sample(text, 'rampart_credential_cooling{provider="alpha",credential="alpha#0"}')).toBe(0);
    expect(sample(text, 'rampart_blocked_ips')).toBe(0);
  });
});
