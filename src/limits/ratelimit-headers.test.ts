import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { formatResetDuration, setRateLimitHeaders } from './ratelimit-headers.ts';

describe('formatResetDuration', () => {
  it("writes durations the way OpenAI's x-ratelimit-reset-* headers do", () => {
    expect(formatResetDuration(0)).toBe('0ms');
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(999.2)).toBe('1s');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1500)).toBe('1.5s');
    expect(formatResetDuration(59_999)).toBe('59.999s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(86_400)).toBe('1m26.4s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
    expect(formatResetDuration(-5)).toBe('0ms');
  });
});

describe('setRateLimitHeaders', () => {
  it('sets the three request headers, never a negative remaining count', async () => {
    const app = Fastify();
    app.get('/', (_request, reply) => {
      setRateLimitHeaders(reply, { limit: 100, remaining: -3, resetMs: 1500 });
      return 'ok';
    });
    const response = await app.inject({ url: '/' });
    expect(response.headers).toMatchObject({
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1.5s',
    });
    await app.close();
  });
});
