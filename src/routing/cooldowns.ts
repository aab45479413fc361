import type { CooldownRecord, CooldownStore } from '../storage/ports.ts';

/** How long a credential sits out after each kind of failure, in ms. */
export interface CooldownSettings {
  /** 401/403: the whole credential, every model. */
  authMs: number;
  /** 404 for a model: that credential × model only. */
  modelNotFoundMs: number;
  /** Cap on any 429 cooldown, the provider's own retry hint included. */
  rateLimitMaxMs: number;
  /** First 429 cooldown without a hint; doubles per consecutive 429 up to rateLimitMaxMs. */
  rateLimitBaseMs: number;
  /** 5xx answers. */
  serverErrorMs: number;
  /** Timeouts, refused connections, resets. */
  networkMs: number;
}

/** The defaults (the config schema repeats them for its docs). */
export const DEFAULT_COOLDOWN_SETTINGS: Readonly<CooldownSettings> = Object.freeze({
  authMs: 30 * 60_000,
  modelNotFoundMs: 30 * 60_000,
  rateLimitMaxMs: 30 * 60_000,
  rateLimitBaseMs: 1_000,
  serverErrorMs: 60_000,
  networkMs: 5_000,
});

/** Why an upstream attempt failed, as far as cooling the credential is concerned. */
export type FailureKind = 'auth' | 'model_not_found' | 'rate_limited' | 'server_error' | 'network';

/** The model of a credential-wide cooldown row. */
export const ALL_MODELS = '*';

type Entry = CooldownRecord & { untilMs: number };

/** Keys changed locally while a refresh was reading the store: the snapshot must not overwrite them. */
interface RefreshGuard {
  keys: Map<string, { credentialId: string; model: string }>;
  prefixes: string[];
}

/**
 * Which credential × model pairs are cooling down, and until when. Memory is authoritative within the process and read
 * synchronously on the hot path; every change is written through to the store in the background, in order, with
 * failures reported to `onError` and never thrown into a request. `refresh()` picks up other processes' changes
 * (e.g. `rampart pool reset`).
 *
 * An expired entry no longer cools anything but is remembered (with its failure count) for another rateLimitMaxMs,
 * so a credential that is rate limited again right after its cooldown backs off longer; a success forgets it.
 */
export class CooldownTracker {
  readonly #store: CooldownStore;
  readonly #settings: Readonly<CooldownSettings>;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  /** credentialId → model → entry; nested so lookups build no strings. */
  #entries = new Map<string, Map<string, Entry>>();
  #size = 0;
  #writes: Promise<void> = Promise.resolve();
  readonly #guards = new Set<RefreshGuard>();

  constructor(
    store: CooldownStore,
    settings: Readonly<CooldownSettings> = DEFAULT_COOLDOWN_SETTINGS,
    now: () => number = () => Date.now(),
    onError: (error: unknown) => void = () => {},
  ) {
    for (const [name, value] of Object.entries(settings)) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`cooldown setting ${name} must be a non-negative number of ms`);
    }
    this.#store = store;
    this.#settings = { ...settings };
    this.#now = now;
    this.#onError = onError;
  }

  /** Reads the stored state; call once before serving. */
  load(): Promise<void> {
    return this.refresh();
  }

  /** Replaces memory with the store's state (keeping local changes made meanwhile) and prunes forgotten entries. */
  async refresh(): Promise<void> {
    const guard: RefreshGuard = { keys: new Map(), prefixes: [] };
    this.#guards.add(guard);
    let records: CooldownRecord[];
    try {
      records = await this.#enqueueResult(() => this.#store.list());
    } finally {
      this.#guards.delete(guard);
    }
    const previous = this.#entries;
    this.#entries = new Map();
    this.#size = 0;
    for (const record of records) {
      const key = keyOf(record.credentialId, record.model);
      if (guard.keys.has(key) || guard.prefixes.some((p) => record.credentialId.startsWith(p))) continue;
      this.#set({ ...record, untilMs: record.until.getTime() });
    }
    for (const { credentialId, model } of guard.keys.values()) {
      const local = previous.get(credentialId)?.get(model);
      if (local) this.#set(local);
    }
    this.#prune(true);
  }

  /** Until when (epoch ms) `credentialId` cools for `model` — credential-wide or for that model — or undefined. */
  check(credentialId: string, model: string): number | undefined {
    if (this.#size === 0) return undefined;
    const byModel = this.#entries.get(credentialId);
    if (byModel === undefined) return undefined;
    const now = this.#now();
    let until: number | undefined;
    const all = byModel.get(ALL_MODELS);
    if (all !== undefined && all.untilMs > now) until = all.untilMs;
    const one = byModel.get(model);
    if (one !== undefined && one.untilMs > now && (until === undefined || one.untilMs > until)) until = one.untilMs;
    return until;
  }

  /**
   * Cools the credential after a failed attempt and returns until when. Authentication failures cool every model;
   * the rest only `model`. A 429 waits the provider's hint (capped) or base·2^(n−1) for the n-th 429 in a row. A
   * failure while the pair is still cooling (requests already in flight) neither shortens the cooldown nor counts
   * as another failure in a row, so a burst of parallel 429s does not escalate the back-off.
   */
  recordFailure(credentialId: string, model: string, kind: FailureKind, retryAfterSeconds?: number): number {
    const now = this.#now();
    const scope = kind === 'auth' ? ALL_MODELS : model;
    const previous = this.#entries.get(credentialId)?.get(scope);
    const active = previous !== undefined && previous.untilMs > now;
    const sameKind = previous !== undefined && previous.kind === kind;
    const failures = sameKind ? (active ? previous.failures : previous.failures + 1) : 1;
    let untilMs = now + this.#duration(kind, failures, retryAfterSeconds);
    if (active && previous.untilMs > untilMs) untilMs = previous.untilMs;
    const entry: Entry = { credentialId, model: scope, until: new Date(untilMs), untilMs, kind, failures };
    this.#set(entry);
    this.#touch(credentialId, scope);
    this.#enqueue(() => this.#store.upsert(toRecord(entry)));
    return untilMs;
  }

  /** Forgets the pair's cooldown and failure count after a success. Free (no write) when there is nothing to forget. */
  recordSuccess(credentialId: string, model: string): void {
    const entry = this.#entries.get(credentialId)?.get(model);
    if (entry === undefined) return;
    this.#delete(credentialId, model);
    this.#touch(credentialId, model);
    this.#enqueue(() => this.#store.remove(credentialId, model));
  }

  /** When the first of these credentials is usable again for `model`; undefined when one is usable now (or none given). */
  soonest(credentialIds: Iterable<string>, model: string): number | undefined {
    let soonest: number | undefined;
    for (const id of credentialIds) {
      const until = this.check(id, model);
      if (until === undefined) return undefined;
      if (soonest === undefined || until < soonest) soonest = until;
    }
    return soonest;
  }

  /**
   * Clears every cooldown and failure count, or those of credential ids starting with `credentialIdPrefix`, here and
   * in the store. Resolves with the number of stored entries removed; rejects when the store fails.
   */
  reset(filter: { credentialIdPrefix?: string } = {}): Promise<number> {
    const prefix = filter.credentialIdPrefix ?? '';
    for (const [credentialId, byModel] of [...this.#entries]) {
      if (!credentialId.startsWith(prefix)) continue;
      for (const model of [...byModel.keys()]) this.#delete(credentialId, model);
    }
    for (const guard of this.#guards) guard.prefixes.push(prefix);
    return this.#enqueueResult(() => this.#store.removeAll(filter.credentialIdPrefix));
  }

  /** Active cooldowns, ordered by credential id then model. */
  list(): CooldownRecord[] {
    this.#prune(false);
    const now = this.#now();
    const active: CooldownRecord[] = [];
    for (const byModel of this.#entries.values()) {
      for (const entry of byModel.values()) if (entry.untilMs > now) active.push(toRecord(entry));
    }
    return active.sort((a, b) => compare(a.credentialId, b.credentialId) || compare(a.model, b.model));
  }

  /** Resolves once every write issued so far has reached the store (or failed); for shutdown and tests. */
  flush(): Promise<void> {
    return this.#writes;
  }

  #duration(kind: FailureKind, failures: number, retryAfterSeconds: number | undefined): number {
    const s = this.#settings;
    switch (kind) {
      case 'auth':
        return s.authMs;
      case 'model_not_found':
        return s.modelNotFoundMs;
      case 'server_error':
        return s.serverErrorMs;
      case 'network':
        return s.networkMs;
      case 'rate_limited':
        // A hint is trusted only up to the cap: a hostile or buggy upstream must not bench a key for days.
        if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
          return Math.min(Math.ceil(retryAfterSeconds * 1000), s.rateLimitMaxMs);
        }
        // The exponent is bounded so a long streak cannot overflow to Infinity before the cap applies.
        return Math.min(s.rateLimitBaseMs * 2 ** Math.min(failures - 1, 40), s.rateLimitMaxMs);
    }
  }

  /**
   * Drops entries expired for longer than the memory window. Only a refresh, fresh from the store, deletes rows too:
   * memory may be older than a row another process has just rewritten.
   */
  #prune(fromStore: boolean): void {
    if (this.#size === 0) return;
    const horizon = this.#now() - this.#settings.rateLimitMaxMs;
    for (const [credentialId, byModel] of [...this.#entries]) {
      for (const entry of [...byModel.values()]) {
        if (entry.untilMs > horizon) continue;
        this.#delete(credentialId, entry.model);
        if (fromStore) this.#enqueue(() => this.#store.remove(credentialId, entry.model));
      }
    }
  }

  #set(entry: Entry): void {
    let byModel = this.#entries.get(entry.credentialId);
    if (byModel === undefined) {
      byModel = new Map();
      this.#entries.set(entry.credentialId, byModel);
    }
    if (!byModel.has(entry.model)) this.#size++;
    byModel.set(entry.model, entry);
  }

  #delete(credentialId: string, model: string): void {
    const byModel = this.#entries.get(credentialId);
    if (byModel === undefined || !byModel.delete(model)) return;
    this.#size--;
    if (byModel.size === 0) this.#entries.delete(credentialId);
  }

  #touch(credentialId: string, model: string): void {
    if (this.#guards.size === 0) return;
    const key = keyOf(credentialId, model);
    for (const guard of this.#guards) guard.keys.set(key, { credentialId, model });
  }

  /** Queues a background write; writes run in order so a later change is never overtaken by an earlier one. */
  #enqueue(write: () => Promise<void>): void {
    this.#writes = this.#writes.then(write).catch((error: unknown) => {
      try {
        this.#onError(error);
      } catch {
        // A failing error handler must not break the write queue.
      }
    });
  }

  /** Queues an operation whose result (or error) the caller awaits, in order with the background writes. */
  #enqueueResult<R>(operation: () => Promise<R>): Promise<R> {
    const result = this.#writes.then(operation);
    this.#writes = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

function keyOf(credentialId: string, model: string): string {
  return `${credentialId}\u0000${model}`;
}

function toRecord(entry: Entry): CooldownRecord {
  return { credentialId: entry.credentialId, model: entry.model, until: new Date(entry.untilMs), kind: entry.kind, failures: entry.failures };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
