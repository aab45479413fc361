import type { FastifyReply } from 'fastify';

/** What the x-ratelimit-* headers of one answer describe. */
export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  resetMs: number;
}

/**
 * A duration the way OpenAI writes `x-ratelimit-reset-requests` (Go's time.Duration text: `20ms`, `1s`, `1.5s`,
 * `6m0s`, `1h2m3s`), so SDKs and dashboards that parse OpenAI's headers read ours too.
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = String((total % 60_000) / 1000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Sets OpenAI's request rate-limit headers; they ride on whatever answer the route sends later. */
export function setRateLimitHeaders(reply: FastifyReply, snapshot: RateLimitSnapshot): void {
  reply.header('x-ratelimit-limit-requests', String(snapshot.limit));
  reply.header('x-ratelimit-remaining-requests', String(Math.max(0, snapshot.remaining)));
  reply.header('x-ratelimit-reset-requests', formatResetDuration(snapshot.resetMs));
}
