import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, RampartError } from '../errors/catalogue.ts';
import type { CooldownTracker, FailureKind } from './cooldowns.ts';
import type { PooledCredential, RoutePlan, RouteTarget } from './router.ts';

/** What one attempt produced: its value, and a failure that happened after the first byte (no retry, but a cooldown). */
export interface AttemptOutcome<T> {
  value: T;
  lateFailure?: RampartError;
}

/** The failures that justify another credential, and the cooldown each one earns. 400s are the client's own. */
const kindByCode: Partial<Record<ErrorCode, FailureKind>> = {
  RAMPART_UPSTREAM_AUTH: 'auth',
  RAMPART_UPSTREAM_NOT_FOUND: 'model_not_found',
  RAMPART_UPSTREAM_RATE_LIMITED: 'rate_limited',
  RAMPART_UPSTREAM_ERROR: 'server_error',
  RAMPART_UPSTREAM_INVALID_RESPONSE: 'server_error',
  RAMPART_UPSTREAM_UNAVAILABLE: 'server_error',
  RAMPART_UPSTREAM_TIMEOUT: 'network',
  RAMPART_UPSTREAM_STREAM_INTERRUPTED: 'network',
};

/** The cooldown kind of an error, or undefined when the error must go straight to the client. */
export function failureKind(error: unknown): FailureKind | undefined {
  return error instanceof RampartError ? kindByCode[error.code] : undefined;
}

/** Options of one request's failover loop. */
export interface FailoverOptions<T> {
  plan: RoutePlan;
  cooldowns: CooldownTracker;
  /** Further attempts allowed after the first (routing.retries). */
  retries: number;
  jitterMs: number;
  affinityKey?: string;
  signal: AbortSignal;
  attempt(target: RouteTarget, credential: PooledCredential): Promise<AttemptOutcome<T>>;
  onRetry?(info: { provider: string; credential: string; code: ErrorCode }): void;
}

/**
 * Tries the plan's targets, each over its credential pool (cooling credentials skipped), until one answers.
 * A retryable failure before the first byte cools the credential and moves on, at most `retries` times, after a
 * random pause of up to `jitterMs` (so many clients do not retry in lock-step). When nothing is eligible at all,
 * the client gets 429 (all rate limited) or 503 with `retry-after` set to the soonest recovery.
 */
export async function runWithFailover<T>(options: FailoverOptions<T>): Promise<T> {
  const { plan, cooldowns } = options;
  let attempts = 0;
  let lastError: RampartError | undefined;
  for (const target of plan.targets) {
    const model = target.upstreamModel;
    const candidates = target.provider.pool.candidates((c) => cooldowns.check(c.id, model) === undefined, options.affinityKey);
    for (const credential of candidates) {
      if (attempts > options.retries) throw lastError ?? new RampartError('RAMPART_NO_CREDENTIAL');
      // Re-check: an earlier attempt in this loop may have cooled a credential shared by two targets.
      if (attempts > 0 && cooldowns.check(credential.id, model) !== undefined) continue;
      if (attempts > 0 && options.jitterMs > 0) await sleep(Math.random() * options.jitterMs, undefined, { signal: options.signal });
      attempts++;
      try {
        const outcome = await options.attempt(target, credential);
        const late = outcome.lateFailure && failureKind(outcome.lateFailure);
        if (outcome.lateFailure && late) cooldowns.recordFailure(credential.id, model, late, outcome.lateFailure.retryAfterSeconds);
        else cooldowns.recordSuccess(credential.id, model);
        return outcome.value;
      } catch (error) {
        const kind = failureKind(error);
        if (!kind || options.signal.aborted) throw error;
        const failure = error as RampartError;
        cooldowns.recordFailure(credential.id, model, kind, failure.retryAfterSeconds);
        options.onRetry?.({ provider: target.provider.id, credential: credential.id, code: failure.code });
        lastError = failure;
      }
    }
  }
  if (lastError) throw lastError;
  throw exhausted(options.plan, cooldowns);
}

/** Every credential of every target is cooling down: say when the first one comes back. */
function exhausted(plan: RoutePlan, cooldowns: CooldownTracker): RampartError {
  const now = Date.now();
  let soonest: number | undefined;
  for (const target of plan.targets) {
    const ids = target.provider.pool.members.map((c) => c.id);
    const until = cooldowns.soonest(ids, target.upstreamModel);
    if (until !== undefined && (soonest === undefined || until < soonest)) soonest = until;
  }
  const retryAfterSeconds = soonest === undefined ? 1 : Math.max(1, Math.ceil((soonest - now) / 1000));
  const rateLimited = cooldowns.list().some((r) => r.kind === 'rate_limited' && r.until.getTime() === soonest);
  return new RampartError(rateLimited ? 'RAMPART_POOL_RATE_LIMITED' : 'RAMPART_NO_CREDENTIAL', { retryAfterSeconds });
}
