import type { TokenUsageStore } from '../storage/ports.ts';
import { KeyedLock } from './keyed-lock.ts';
import { startOfNextUtcMonth, utcMonth } from './utc-month.ts';

/** Tokens held for one request until its real usage is known. */
export interface Reservation {
  readonly exceeded: false;
  readonly keyId: string;
  /** The UTC month (`YYYY-MM`) the request is charged to: the month it started in. */
  readonly month: string;
  /** Tokens held (the estimate, rounded up, at least 1). */
  readonly tokens: number;
  /** Records the real usage (which may differ from the estimate) and frees the hold. Only the first settle/release counts. */
  settle(actualTokens: number): Promise<void>;
  /** Frees the hold without charging anything (nothing reached the upstream). Only the first settle/release counts. */
  release(): Promise<void>;
}

/** Why a reservation was refused, and when trying again can help. */
export interface QuotaExceeded {
  readonly exceeded: true;
  /**
   * `quota`: the month's recorded usage leaves no room for this request, so it waits for the next month.
   * `in_flight`: only requests still running hold the rest; they usually settle below their estimate.
   */
  readonly reason: 'quota' | 'in_flight';
  readonly retryAfterSeconds: number;
  readonly limit: number;
  /** Tokens recorded this month. */
  readonly used: number;
  /** Tokens held by requests still running. */
  readonly held: number;
}

export interface MonthlyQuotaOptions {
  store: TokenUsageStore;
  /** Epoch ms; injected by tests to cross a month boundary. */
  now?: () => number;
  /**
   * A hold older than this stops counting, so a request that was never settled (a bug, a crash of its handler)
   * cannot lock a key's quota until the next restart. Longer than any sane request, streams included.
   */
  holdTtlMs?: number;
}

interface Hold {
  tokens: number;
  expiresAt: number;
}

/** In-flight requests may free room within moments; retrying after this long is reasonable. */
const IN_FLIGHT_RETRY_SECONDS = 1;
const DEFAULT_HOLD_TTL_MS = 60 * 60_000;

/**
 * Monthly token quotas per client key. A request reserves its estimated tokens before the upstream call and settles
 * its real usage after, so concurrent requests cannot together overrun the quota: every reservation is checked
 * against the month's recorded usage plus every hold still in flight, one at a time per key. Usage is persisted per
 * key per UTC month (the `token_usage` table), so a restart keeps the month's count; holds live in this process.
 *
 * Exact within one process. Several instances sharing one database would each see only their own holds; that
 * deployment needs the holds in Redis as well.
 */
export class MonthlyQuota {
  readonly #store: TokenUsageStore;
  readonly #now: () => number;
  readonly #holdTtlMs: number;
  readonly #lock = new KeyedLock();
  /** `keyId` → `month` → holds. */
  readonly #holds = new Map<string, Map<string, Set<Hold>>>();

  constructor(options: MonthlyQuotaOptions) {
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.#holdTtlMs = options.holdTtlMs ?? DEFAULT_HOLD_TTL_MS;
    if (!Number.isSafeInteger(this.#holdTtlMs) || this.#holdTtlMs < 1) throw new RangeError('holdTtlMs must be a positive integer');
  }

  /**
   * Holds `estimate` tokens of `keyId`'s quota for this month. `limit` null = no quota: the hold always succeeds and
   * the usage is still recorded, so dashboards and later quotas see it.
   */
  async reserve(keyId: string, limit: number | null, estimate: number): Promise<Reservation | QuotaExceeded> {
    if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) throw new RangeError('limit must be a non-negative integer or null');
    const tokens = wholeTokens(estimate);
    return this.#lock.run(keyId, async () => {
      const now = this.#now();
      const month = utcMonth(now);
      const used = await this.#store.get(keyId, month);
      const held = this.#heldTokens(keyId, month, now);
      if (limit !== null && used + held + tokens > limit) {
        const reason = used + tokens > limit ? 'quota' : 'in_flight';
        const retryAfterSeconds =
          reason === 'quota' ? Math.max(1, Math.ceil((startOfNextUtcMonth(now) - now) / 1000)) : IN_FLIGHT_RETRY_SECONDS;
        return { exceeded: true, reason, retryAfterSeconds, limit, used, held } satisfies QuotaExceeded;
      }
      return this.#hold(keyId, month, tokens, now);
    });
  }

  /** The month's recorded usage and the tokens held by requests in flight (for headers and dashboards). */
  async usage(keyId: string): Promise<{ month: string; used: number; held: number }> {
    const now = this.#now();
    const month = utcMonth(now);
    return { month, used: await this.#store.get(keyId, month), held: this.#heldTokens(keyId, month, now) };
  }

  #hold(keyId: string, month: string, tokens: number, now: number): Reservation {
    const hold: Hold = { tokens, expiresAt: now + this.#holdTtlMs };
    this.#holdsOf(keyId, month).add(hold);
    let finished = false;
    const drop = (): void => this.#drop(keyId, month, hold);
    return {
      exceeded: false,
      keyId,
      month,
      tokens,
      settle: async (actualTokens) => {
        if (finished) return;
        finished = true;
        const actual = wholeTokens(actualTokens, 0);
        // Under the key's lock, and the hold dropped only after the write: a reservation running meanwhile sees
        // either the hold or the recorded usage, never neither (which would let it overrun).
        await this.#lock.run(keyId, async () => {
          try {
            if (actual > 0) await this.#store.add(keyId, month, actual);
          } catch (error) {
            // Unrecorded usage keeps counting until the hold expires, rather than silently vanishing.
            hold.tokens = Math.max(hold.tokens, actual);
            throw error;
          }
          drop();
        });
      },
      release: () => {
        if (!finished) {
          finished = true;
          drop();
        }
        return Promise.resolve();
      },
    };
  }

  #holdsOf(keyId: string, month: string): Set<Hold> {
    let byMonth = this.#holds.get(keyId);
    if (byMonth === undefined) {
      byMonth = new Map();
      this.#holds.set(keyId, byMonth);
    }
    let holds = byMonth.get(month);
    if (holds === undefined) {
      holds = new Set();
      byMonth.set(month, holds);
    }
    return holds;
  }

  #heldTokens(keyId: string, month: string, now: number): number {
    const holds = this.#holds.get(keyId)?.get(month);
    if (holds === undefined) return 0;
    let total = 0;
    for (const hold of holds) {
      if (hold.expiresAt <= now) this.#drop(keyId, month, hold);
      else total += hold.tokens;
    }
    return total;
  }

  #drop(keyId: string, month: string, hold: Hold): void {
    const byMonth = this.#holds.get(keyId);
    const holds = byMonth?.get(month);
    if (byMonth === undefined || holds === undefined) return;
    holds.delete(hold);
    if (holds.size === 0) byMonth.delete(month);
    if (byMonth.size === 0) this.#holds.delete(keyId);
  }
}

/** Token counts arrive as estimates or provider usage: round up, refuse nonsense rather than under-count. */
function wholeTokens(tokens: number, minimum = 1): number {
  if (!Number.isFinite(tokens) || tokens < 0) throw new RangeError('tokens must be a finite, non-negative number');
  return Math.max(minimum, Math.ceil(tokens));
}
