import { type LimiterBackend, type LimitResult, RateLimiter } from './rate-limiter.ts';

/** A provider's requests and tokens per minute; unset = no limit. */
export interface ProviderRates {
  rpm?: number | undefined;
  tpm?: number | undefined;
}

export interface ProviderLimitsOptions {
  /** `rateLimits.providerDefaults`: used field by field where a provider sets nothing of its own. */
  defaults?: ProviderRates | undefined;
  /** Each provider's own `rpm`/`tpm`, by provider id. */
  providers?: Readonly<Record<string, ProviderRates>>;
  backend?: LimiterBackend;
}

/** One attempt admitted by the provider limits; `settle` corrects the token count once the real usage is known. */
export interface AdmittedAttempt {
  ok: true;
  /** Charges tokens used above the estimate, or gives back the unused part while the minute is still running. */
  settle(actualTokens: number): Promise<void>;
}

/** An attempt refused locally, before it could earn a 429 from the provider. */
export interface RefusedAttempt {
  ok: false;
  limitedBy: 'rpm' | 'tpm';
  retryAfterMs: number;
  limit: number;
}

/** What `tryRequest`/`tryTokens` answer for a provider without that limit. */
export const UNLIMITED: LimitResult = Object.freeze({ ok: true, remaining: Infinity, limit: Infinity, resetMs: 0, windowEndsAt: 0 });

interface ProviderLimiters {
  rpm: RateLimiter | undefined;
  tpm: RateLimiter | undefined;
}

const MINUTE_SECONDS = 60;

/**
 * Requests and tokens per minute per provider, so Rampart stays under the tier a provider granted instead of
 * learning it from 429s (which also cool credentials down). Each limit is one fixed minute window (exact: exactly
 * `rpm` requests pass per window, however many run at once). All limiters are built here, at boot, so a bad value
 * fails the start rather than a request.
 */
export class ProviderLimits {
  readonly #byProvider = new Map<string, ProviderLimiters>();
  readonly #fallback: ProviderLimiters;

  constructor(options: ProviderLimitsOptions = {}) {
    const { defaults = {}, providers = {}, backend } = options;
    this.#fallback = limitersFor('*', defaults, backend);
    for (const [id, own] of Object.entries(providers)) {
      const rates = { rpm: own.rpm ?? defaults.rpm, tpm: own.tpm ?? defaults.tpm };
      this.#byProvider.set(id, limitersFor(id, rates, backend));
    }
  }

  /** Takes one request from the provider's RPM. */
  async tryRequest(providerId: string): Promise<LimitResult> {
    const limiter = this.#limiters(providerId).rpm;
    return limiter === undefined ? UNLIMITED : limiter.consume(providerId);
  }

  /** Takes `tokens` (an estimate: input + max output) from the provider's TPM. */
  async tryTokens(providerId: string, tokens: number): Promise<LimitResult> {
    const count = wholeTokens(tokens);
    const limiter = this.#limiters(providerId).tpm;
    return limiter === undefined ? UNLIMITED : limiter.consume(providerId, count);
  }

  /**
   * Both limits for one upstream attempt: one request and the estimated tokens. When the TPM refuses, the request
   * taken from the RPM is given back, since nothing was sent.
   */
  async tryAttempt(providerId: string, estimatedTokens: number): Promise<AdmittedAttempt | RefusedAttempt> {
    const estimate = wholeTokens(estimatedTokens);
    const limiters = this.#limiters(providerId);
    const request = await this.tryRequest(providerId);
    if (!request.ok) return { ok: false, limitedBy: 'rpm', retryAfterMs: request.retryAfterMs, limit: request.limit };
    const tokens = await this.tryTokens(providerId, estimate);
    if (!tokens.ok) {
      if (limiters.rpm !== undefined) await limiters.rpm.refund(providerId, 1, request.windowEndsAt);
      return { ok: false, limitedBy: 'tpm', retryAfterMs: tokens.retryAfterMs, limit: tokens.limit };
    }
    let settled = false;
    return {
      ok: true,
      settle: async (actualTokens) => {
        // Settling twice would count the difference twice; the first call wins.
        if (settled || limiters.tpm === undefined) return;
        settled = true;
        const actual = Math.max(0, Math.ceil(actualTokens));
        if (actual > estimate) await limiters.tpm.charge(providerId, actual - estimate);
        else if (actual < estimate) await limiters.tpm.refund(providerId, estimate - actual, tokens.windowEndsAt);
      },
    };
  }

  #limiters(providerId: string): ProviderLimiters {
    return this.#byProvider.get(providerId) ?? this.#fallback;
  }
}

function limitersFor(id: string, rates: ProviderRates, backend: LimiterBackend | undefined): ProviderLimiters {
  const build = (points: number | undefined, kind: string): RateLimiter | undefined =>
    points === undefined
      ? undefined
      : new RateLimiter({ points, windowSeconds: MINUTE_SECONDS, keyPrefix: `provider-${kind}:${id}`, ...(backend === undefined ? {} : { backend }) });
  return { rpm: build(rates.rpm, 'rpm'), tpm: build(rates.tpm, 'tpm') };
}

/** Token counts are estimates and may be fractional or 0; the limiter counts whole points, at least one. */
function wholeTokens(tokens: number): number {
  if (!Number.isFinite(tokens) || tokens < 0) throw new RangeError('tokens must be a finite, non-negative number');
  return Math.max(1, Math.ceil(tokens));
}
