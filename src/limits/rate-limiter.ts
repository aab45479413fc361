import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** The outcome of one consume: admitted with what is left of the window, or refused with how long to wait. */
export type LimitResult =
  | {
      ok: true;
      remaining: number;
      limit: number;
      /** Time until the window starts afresh (full capacity again), ms. */
      resetMs: number;
      /** Epoch ms by which this window has surely not ended yet; pass it to `refund`. */
      windowEndsAt: number;
    }
  | { ok: false; retryAfterMs: number; limit: number };

/** The rate-limiter-flexible options of one fixed window, as handed to a backend. */
export interface WindowOptions {
  keyPrefix: string;
  points: number;
  /** Whole seconds: RateLimiterRedis floors durations to seconds (and a window of 0 s would never expire). */
  duration: number;
}

/**
 * Builds the store behind one limiter. Memory counts per process; a Redis backend
 * (`(o) => new RateLimiterRedis({ storeClient, ...o })`) shares the same windows between instances, atomically.
 */
export type LimiterBackend = (options: WindowOptions) => RateLimiterAbstract;

/** Per-process counters: exact within one process, because each increment runs synchronously. */
export const memoryBackend: LimiterBackend = (options) => new RateLimiterMemory(options);

/** A configured rate: `burst` requests at once, refilled at `rps` per second. */
export interface Rate {
  rps: number;
  burst: number;
}

/**
 * A refund is only safe while the window it returns points to is the one they were taken from: returning them to a
 * fresh window would admit more than its capacity. This margin covers the time a refund takes to reach the store.
 */
const REFUND_MARGIN_MS = 250;

/**
 * How a rate maps onto a fixed window: `burst` points that last ⌈burst/rps⌉ whole seconds. The burst is exact (a
 * window never admits more than `burst`, which is what makes "N concurrent requests against a limit of K → exactly K
 * pass" hold) and the long-run average never exceeds `rps` (it equals rps when burst is a multiple of rps). The
 * known cost of fixed windows: up to 2 × burst can pass around a window boundary. A burst below rps cannot be held
 * by a whole-second window and is raised to rps (the config schema refuses it at boot).
 */
export function windowOf(rate: Rate): { points: number; windowSeconds: number } {
  assertPositiveInt(rate.rps, 'rps');
  assertPositiveInt(rate.burst, 'burst');
  const points = Math.max(rate.burst, rate.rps);
  return { points, windowSeconds: Math.ceil(points / rate.rps) };
}

/**
 * A fixed-window limiter over rate-limiter-flexible, behind a small facade so the pipeline, provider limits and
 * tests never see the library's reject-with-a-result style, and so the store (memory, Redis) is one constructor
 * argument.
 */
export class RateLimiter {
  /** Points one window admits. */
  readonly limit: number;
  readonly windowMs: number;
  readonly #store: RateLimiterAbstract;
  readonly #now: () => number;

  constructor(options: { points: number; windowSeconds: number; keyPrefix: string; backend?: LimiterBackend; now?: () => number }) {
    assertPositiveInt(options.points, 'points');
    assertPositiveInt(options.windowSeconds, 'windowSeconds');
    this.limit = options.points;
    this.windowMs = options.windowSeconds * 1000;
    this.#now = options.now ?? Date.now;
    const backend = options.backend ?? memoryBackend;
    this.#store = backend({ keyPrefix: options.keyPrefix, points: options.points, duration: options.windowSeconds });
  }

  /** A limiter for a configured rate (see `windowOf`). */
  static fromRate(rate: Rate, keyPrefix: string, backend?: LimiterBackend): RateLimiter {
    const { points, windowSeconds } = windowOf(rate);
    return new RateLimiter({ points, windowSeconds, keyPrefix, ...(backend === undefined ? {} : { backend }) });
  }

  /** Takes `points` from `key`'s window, or refuses without admitting anything. */
  async consume(key: string, points = 1): Promise<LimitResult> {
    assertPositiveInt(points, 'points');
    // More than a whole window can never pass; counting it would only hide the window's leftover from others.
    if (points > this.limit) return { ok: false, retryAfterMs: this.windowMs, limit: this.limit };
    const startedAt = this.#now();
    try {
      const res = await this.#store.consume(key, points);
      return { ok: true, remaining: res.remainingPoints, limit: this.limit, resetMs: res.msBeforeNext, windowEndsAt: startedAt + res.msBeforeNext };
    } catch (error) {
      // The library rejects with a result when refused and with an Error when its store fails: only the first is ours.
      if (!(error instanceof RateLimiterRes)) throw error;
      // A refused single point changes nothing (the window is full anyway); a refused multi-point consume would
      // otherwise keep its points counted and starve smaller requests that still fit.
      if (points > 1) await this.refund(key, points, startedAt + error.msBeforeNext);
      return { ok: false, retryAfterMs: Math.max(1, error.msBeforeNext), limit: this.limit };
    }
  }

  /**
   * Gives back points taken from the window that ends at `windowEndsAt` (from the consume's result). Skipped, and
   * false returned, when that window may already have ended, since the points would then land in a fresh one.
   */
  async refund(key: string, points: number, windowEndsAt: number): Promise<boolean> {
    assertPositiveInt(points, 'points');
    if (this.#now() + REFUND_MARGIN_MS >= windowEndsAt) return false;
    await this.#store.reward(key, points);
    return true;
  }

  /** Counts `points` that were spent anyway (e.g. tokens above an estimate), without refusing anything. */
  async charge(key: string, points: number): Promise<void> {
    assertPositiveInt(points, 'points');
    await this.#store.penalty(key, points);
  }
}

function assertPositiveInt(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
}
