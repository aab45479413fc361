import { describe, expect, it } from 'vitest';
import { REDIRECT_MESSAGE, mapUpstreamStatus, parseRetryAfter } from './map-status.ts';

describe('mapUpstreamStatus', () => {
  it.each([
    [400, 'RAMPART_UPSTREAM_BAD_REQUEST', 400],
    [401, 'RAMPART_UPSTREAM_AUTH', 502],
    [403, 'RAMPART_UPSTREAM_AUTH', 502],
    [404, 'RAMPART_UPSTREAM_NOT_FOUND', 404],
    [429, 'RAMPART_UPSTREAM_RATE_LIMITED', 429],
    [500, 'RAMPART_UPSTREAM_ERROR', 502],
    [503, 'RAMPART_UPSTREAM_UNAVAILABLE', 503],
    [504, 'RAMPART_UPSTREAM_TIMEOUT', 504],
  ])('maps %i to %s (client sees %i)', (status, code, clientStatus) => {
    const error = mapUpstreamStatus(status, {});
    expect(error.code).toBe(code);
    expect(error.status).toBe(clientStatus);
  });

  it.each([301, 302, 303, 307, 308])('maps the redirect %i to RAMPART_UPSTREAM_REDIRECT saying it is not followed', (status) => {
    const error = mapUpstreamStatus(status, { location: 'http://169.254.169.254/latest/meta-data/' });
    expect(error.code).toBe('RAMPART_UPSTREAM_REDIRECT');
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(502);
    expect(error.message).toBe(REDIRECT_MESSAGE);
    expect(error.message).not.toContain('169.254');
  });

  it('carries a retry hint from retry-after', () => {
    expect(mapUpstreamStatus(429, { 'retry-after': '7' }).retryAfterSeconds).toBe(7);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, caps huge values, ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('99999999', now)).toBe(1800);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
});
