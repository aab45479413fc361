import type { FastifyRequest } from 'fastify';
import type { ValidationConfig } from '../config/validation-schema.ts';
import type { WireFormat } from '../errors/render/index.ts';
import type { MonthlyQuota } from '../limits/monthly-quota.ts';
import type { ProviderLimits } from '../limits/provider-limits.ts';
import type { WafStep } from '../pipeline/waf.ts';
import type { ClientCodec } from '../formats/canonical/codec.ts';
import type { CooldownTracker } from '../routing/cooldowns.ts';
import { type AttemptOutcome, runWithFailover } from '../routing/failover.ts';
import type { PooledCredential, RoutePlan, RouteTarget, Router } from '../routing/router.ts';
import type { UpstreamClient } from '../upstream/upstream-client.ts';
import type { AccessTokenSource } from '../oauth/token-refresher.ts';
import type { UsageRecorder } from '../usage/usage-recorder.ts';
import { usageOf } from '../usage/request-usage.ts';

/** Retry and affinity settings from `routing:`. */
export interface RoutingSettings {
  retries: number;
  retryJitterMs: number;
  sessionAffinityHeader?: string | undefined;
}

/** What the proxy routes need, wired once by app.ts. */
export interface ProxyDeps {
  router: Router;
  upstream: UpstreamClient;
  cooldowns: CooldownTracker;
  routing: RoutingSettings;
  /** Inspects a parsed request; throws RAMPART_WAF_BLOCKED in block mode. */
  waf: WafStep;
  validation: ValidationConfig;
  /** Monthly token quotas per client key: reserve before the call, settle with the real usage after. */
  quota: MonthlyQuota;
  /** Per-provider requests and estimated tokens per minute (all credentials together). */
  providerLimits: ProviderLimits;
  /** Usage accounting: one record per proxied request (absent in tests that do not look at it). */
  usage?: UsageRecorder;
  /** Fresh access tokens for `auth: 'oauth'` credentials (absent when no OAuth credential can be in a pool). */
  oauthTokens?: AccessTokenSource;
}

/** A client wire format as a route serves it: its codec and the shape its errors take. */
export interface ClientFormat {
  codec: ClientCodec;
  wireFormat: WireFormat;
}

/** Runs one request's attempts over its plan with the configured retries, jitter and session affinity. */
export function failover<T>(
  deps: ProxyDeps,
  request: FastifyRequest,
  plan: RoutePlan,
  signal: AbortSignal,
  attempt: (target: RouteTarget, credential: PooledCredential) => Promise<AttemptOutcome<T>>,
): Promise<T> {
  const header = deps.routing.sessionAffinityHeader;
  const usage = usageOf(request);
  const affinity = header === undefined ? undefined : request.headers[header];
  const settled = runWithFailover({
    plan,
    cooldowns: deps.cooldowns,
    retries: deps.routing.retries,
    jitterMs: deps.routing.retryJitterMs,
    ...(typeof affinity === 'string' && affinity !== '' ? { affinityKey: affinity } : {}),
    signal,
    attempt: observedAttempt(request, usage, attempt),
    onRetry: (info) => request.log.warn({ reqId: request.id, ...info }, 'upstream attempt failed; trying the next credential'),
  });
  if (usage === undefined) return settled;
  // Usage accounting learns how the loop ended; the promise the caller awaits is unchanged.
  settled.then(
    () => usage.settleFromFailover(),
    (error: unknown) => {
      usage.fail(error);
      usage.settleFromFailover();
    },
  );
  return settled;
}

/**
 * The attempt, noting what it tries: on the request the provider (request metrics label the answer with the last
 * one), and for usage accounting the provider, credential and model, and whether it failed after the first byte.
 */
function observedAttempt<T>(
  request: FastifyRequest,
  usage: ReturnType<typeof usageOf>,
  attempt: (target: RouteTarget, credential: PooledCredential) => Promise<AttemptOutcome<T>>,
): (target: RouteTarget, credential: PooledCredential) => Promise<AttemptOutcome<T>> {
  return async (target, credential) => {
    request.routedProvider = target.provider.id;
    usage?.attempt(target.provider.id, credential.id, target.upstreamModel);
    const outcome = await attempt(target, credential);
    if (outcome.lateFailure) usage?.lateFailure();
    return outcome;
  };
}
