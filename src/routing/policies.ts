/**
 * Credential selection policies. Each one orders a pool's eligible credentials for one request: the first is the
 * pick, the rest the failover order. Pure and deterministic (no clock, no randomness) so tests can count exact
 * distributions. Positions are indexes into the pool's configured credential list.
 */

/** The selection policies a provider may configure. */
export const SELECTION_POLICIES = ['round-robin', 'fill-first', 'weighted'] as const;

/** How a pool picks among its eligible credentials. */
export type SelectionPolicy = (typeof SELECTION_POLICIES)[number];

/** True when `value` names a selection policy. */
export function isSelectionPolicy(value: unknown): value is SelectionPolicy {
  return typeof value === 'string' && (SELECTION_POLICIES as readonly string[]).includes(value);
}

/** The stateful ordering one pool uses; `eligible` is ascending config positions, never empty. */
export interface PolicyOrder {
  order(eligible: readonly number[]): number[];
}

/** Creates the ordering for `policy` over credentials with these weights (one per configured credential). */
export function createPolicyOrder(policy: SelectionPolicy, weights: readonly number[]): PolicyOrder {
  switch (policy) {
    case 'round-robin':
      return new RoundRobinOrder(weights.length);
    case 'fill-first':
      return { order: (eligible) => [...eligible] };
    case 'weighted':
      return new SmoothWeightedOrder(weights);
  }
}

/**
 * The cursor is a config position, not an index into the eligible list: when one credential cools down, its share
 * goes to the others in turn instead of the whole rotation shifting by one.
 */
class RoundRobinOrder implements PolicyOrder {
  readonly #size: number;
  #cursor = 0;

  constructor(size: number) {
    this.#size = size;
  }

  order(eligible: readonly number[]): number[] {
    // First eligible position at or after the cursor, wrapping to the first eligible one.
    let start = eligible.findIndex((position) => position >= this.#cursor);
    if (start < 0) start = 0;
    const picked = eligible[start] ?? 0;
    this.#cursor = (picked + 1) % this.#size;
    return [...eligible.slice(start), ...eligible.slice(0, start)];
  }
}

/**
 * nginx's smooth weighted round-robin: every round each eligible credential gains its weight, the one with the most
 * is picked and loses the round's total. Over W = Σweights picks each gets exactly its weight, interleaved rather
 * than in bursts. Cooling credentials neither gain nor lose, so they rejoin without a burst of catch-up traffic.
 */
class SmoothWeightedOrder implements PolicyOrder {
  readonly #weights: readonly number[];
  readonly #current: number[];

  constructor(weights: readonly number[]) {
    this.#weights = weights;
    this.#current = weights.map(() => 0);
  }

  order(eligible: readonly number[]): number[] {
    let total = 0;
    for (const position of eligible) {
      this.#current[position] = this.#currentOf(position) + (this.#weights[position] ?? 0);
      total += this.#weights[position] ?? 0;
    }
    // Highest current weight first; ties go to the earlier config position, which keeps the order deterministic.
    const ordered = [...eligible].sort((a, b) => this.#currentOf(b) - this.#currentOf(a) || a - b);
    const picked = ordered[0] ?? 0;
    this.#current[picked] = this.#currentOf(picked) - total;
    return ordered;
  }

  #currentOf(position: number): number {
    return this.#current[position] ?? 0;
  }
}

/**
 * Orders positions by rendezvous (highest random weight) hashing of `key` with each credential id: every key has a
 * stable favourite, removing one credential moves only the keys that favoured it, and the next-highest score is a
 * stable failover. With weights, the logarithmic method (score = −w / ln h) gives each credential a share of keys
 * proportional to its weight.
 */
export function rendezvousOrder(key: string, eligible: readonly number[], ids: readonly string[], weights?: readonly number[]): number[] {
  const keyState = fnv1a(key, FNV_OFFSET);
  const scored = eligible.map((position) => {
    const hash = fmix32(fnv1a(ids[position] ?? '', fnv1a('\u0000', keyState)));
    // (hash + 0.5) / 2^32 lies strictly inside (0, 1), so the logarithm is finite and negative.
    const unit = (hash + 0.5) / 4294967296;
    const weight = weights?.[position] ?? 1;
    return { position, score: -weight / Math.log(unit) };
  });
  scored.sort((a, b) => b.score - a.score || a.position - b.position);
  return scored.map((s) => s.position);
}

const FNV_OFFSET = 0x811c9dc5;

/** 32-bit FNV-1a over UTF-16 code units, continuing from `state` so a shared prefix is hashed once. */
function fnv1a(text: string, state: number): number {
  let hash = state;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finaliser: FNV-1a alone barely changes the high bits for ids that differ in their last character. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
