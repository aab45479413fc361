import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { z } from 'zod';
import { rateLimitsSchema } from '../config/limits-schema.ts';
import { RampartError } from '../errors/catalogue.ts';
import '../pipeline/fastify-types.ts';
import { sendError } from '../pipeline/send-error.ts';
import { ipBucketKey } from './ip-bucket.ts';
import { type LimiterBackend, type LimitResult, type Rate, RateLimiter } from './rate-limiter.ts';
import { type RateLimitSnapshot, setRateLimitHeaders } from './ratelimit-headers.ts';

/** Options of the rate-limit step: the `rateLimits:` section (validated here, at boot) and the counters' store. */
export type RateLimitStepOptions = z.input<typeof rateLimitsSchema> & {
  backend?: LimiterBackend;
  /** Told about every refusal and the tier that refused (audit events); it must not throw. */
  onLimited?: (request: FastifyRequest, tier: 'key' | 'ip' | 'global') => void;
};

type Tier = 'key' | 'ip' | 'global';
type Admitted = Extract<LimitResult, { ok: true }>;

interface Charge {
  tier: Tier;
  limiter: RateLimiter;
  bucket: string;
}

/**
 * Pipeline step (onRequest, after client-auth so the key is known, before the body is read so a refusal costs no
 * parsing): request rates per client key, per client address and for all clients together.
 *
 * Tiers are charged from the most specific to the shared one (key → address → global), so a flood from one key or
 * address is stopped by its own tier before it spends budget other clients share. When a later tier refuses, the
 * points already taken from earlier tiers are given back: a refused request did not reach an upstream.
 *
 * Public routes (health) skip the global tier, so a loaded gateway still answers its health checks; they stay under
 * the per-address limit.
 */
export function rateLimitStep(options: RateLimitStepOptions = {}): onRequestAsyncHookHandler {
  const { backend, onLimited, ...section } = options;
  const config = rateLimitsSchema.parse(section);
  const global = config.global === undefined ? undefined : RateLimiter.fromRate(config.global, 'global', backend);
  const perIp = config.perIp.enabled ? RateLimiter.fromRate(config.perIp, 'ip', backend) : undefined;
  const perKey = new KeyLimiters(config.perKey, backend);

  return async function rateLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const charges: Charge[] = [];
    const keyCharge = perKey.chargeFor(request.clientKey);
    if (keyCharge !== undefined) charges.push(keyCharge);
    if (perIp !== undefined) charges.push({ tier: 'ip', limiter: perIp, bucket: ipBucketKey(clientIpOf(request)) });
    if (global !== undefined && request.routeOptions.config.public !== true) charges.push({ tier: 'global', limiter: global, bucket: 'all' });
    if (charges.length === 0) return;

    const admitted: { charge: Charge; result: Admitted }[] = [];
    for (const charge of charges) {
      const result = await charge.limiter.consume(charge.bucket);
      if (!result.ok) {
        await Promise.all(admitted.map((a) => a.charge.limiter.refund(a.charge.bucket, 1, a.result.windowEndsAt)));
        setRateLimitHeaders(reply, { limit: result.limit, remaining: 0, resetMs: result.retryAfterMs });
        const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
        try {
          onLimited?.(request, charge.tier);
        } catch (error: unknown) {
          request.log.error({ err: error }, 'rate limit: onLimited failed');
        }
        await sendError(request, reply, new RampartError('RAMPART_RATE_LIMITED', { retryAfterSeconds }));
        return;
      }
      admitted.push({ charge, result });
    }
    setRateLimitHeaders(reply, reported(admitted));
  };
}

/**
 * The tier the headers describe: the tightest of the caller's own tiers (key, address). The global tier is only
 * reported when it is the only one, because its remaining count would tell every client how busy everyone else is.
 */
function reported(admitted: readonly { charge: Charge; result: Admitted }[]): RateLimitSnapshot {
  const own = admitted.filter((a) => a.charge.tier !== 'global');
  const candidates = own.length > 0 ? own : admitted;
  let tightest = candidates[0]!.result;
  for (const { result } of candidates) {
    if (result.remaining < tightest.remaining) tightest = result;
  }
  return { limit: tightest.limit, remaining: tightest.remaining, resetMs: tightest.resetMs };
}

/** The client address from the client-IP step (trusted proxies peeled off), or the socket's when it did not run. */
function clientIpOf(request: FastifyRequest): string {
  // Read by name: this step must not depend on the client-IP step's module being loaded to type-check or run.
  const value: unknown = Reflect.get(request, 'clientIp');
  return typeof value === 'string' && value !== '' ? value : request.ip;
}

/**
 * Per-key limiters. Keys may carry their own rps/burst, so there is one limiter per distinct rate (a handful in
 * practice), each counting per key id. A key whose rate changes starts a fresh window under the new rate.
 */
class KeyLimiters {
  readonly #byRate = new Map<string, RateLimiter>();
  readonly #fallback: Rate | undefined;
  readonly #backend: LimiterBackend | undefined;

  constructor(fallback: Rate | undefined, backend: LimiterBackend | undefined) {
    this.#fallback = fallback;
    this.#backend = backend;
  }

  chargeFor(key: { id: string; rps?: unknown; burst?: unknown } | null): Charge | undefined {
    if (key === null) return undefined;
    const rate = keyRate(key, this.#fallback);
    if (rate === undefined) return undefined;
    const name = `key:${rate.rps}/${rate.burst}`;
    let limiter = this.#byRate.get(name);
    if (limiter === undefined) {
      limiter = RateLimiter.fromRate(rate, name, this.#backend);
      this.#byRate.set(name, limiter);
    }
    return { tier: 'key', limiter, bucket: key.id };
  }
}

/**
 * A key's rate: its own rps/burst where set, the configured per-key default otherwise. A key with its own rps but no
 * burst gets the default burst, or one second's worth. Values that are not positive integers are ignored, so a bad
 * row falls back to the default instead of lifting the limit.
 */
export function keyRate(key: { rps?: unknown; burst?: unknown }, fallback: Rate | undefined): Rate | undefined {
  const rps = positiveInt(key.rps) ?? fallback?.rps;
  if (rps === undefined) return undefined;
  const burst = positiveInt(key.burst) ?? fallback?.burst ?? rps;
  return { rps, burst: Math.max(burst, rps) };
}

function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
