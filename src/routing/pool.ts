import { type PolicyOrder, type SelectionPolicy, createPolicyOrder, rendezvousOrder } from './policies.ts';

/** What a pool needs to know of a credential; the rest of `T` (e.g. the secret) rides along untouched. */
export interface PoolMember {
  id: string;
  /** Relative share under the `weighted` policy (and of affinity keys); positive. Ignored by other policies. */
  weight: number;
}

/**
 * One provider's credentials and the policy that picks among them. Pure logic: eligibility (cooldowns, scopes) is
 * decided by the caller, so the pool stays deterministic and free of I/O.
 */
export class CredentialPool<T extends PoolMember> {
  /** The policy this pool was built with. */
  readonly policy: SelectionPolicy;
  /** The credentials in config order. */
  readonly members: readonly T[];
  readonly #ids: readonly string[];
  readonly #weights: readonly number[];
  readonly #order: PolicyOrder;

  constructor(members: readonly T[], policy: SelectionPolicy = 'round-robin') {
    const seen = new Set<string>();
    for (const member of members) {
      // Validated here so a bad pool fails at boot, never per request.
      if (seen.has(member.id)) throw new Error(`credential id "${member.id}" appears twice in one pool`);
      seen.add(member.id);
      if (!Number.isFinite(member.weight) || member.weight <= 0) {
        throw new Error(`credential "${member.id}" has weight ${member.weight}; weights must be positive numbers`);
      }
    }
    this.policy = policy;
    this.members = [...members];
    this.#ids = this.members.map((m) => m.id);
    this.#weights = this.members.map((m) => m.weight);
    this.#order = createPolicyOrder(policy, this.#weights);
  }

  /**
   * Every eligible credential, in the order to try them for one request: the first is the pick, the rest the failover
   * order. With an affinity key the pick is stable for that key and falls over to the key's next favourite; without
   * one the policy decides (and round-robin / weighted advance their state). Empty when none is eligible.
   */
  candidates(isEligible: (credential: T) => boolean, affinityKey?: string): T[] {
    const eligible: number[] = [];
    for (let i = 0; i < this.members.length; i++) {
      const member = this.members[i];
      if (member !== undefined && isEligible(member)) eligible.push(i);
    }
    if (eligible.length === 0) return [];
    const ordered =
      affinityKey !== undefined && affinityKey !== ''
        ? rendezvousOrder(affinityKey, eligible, this.#ids, this.policy === 'weighted' ? this.#weights : undefined)
        : this.#order.order(eligible);
    const result: T[] = [];
    for (const position of ordered) {
      const member = this.members[position];
      if (member !== undefined) result.push(member);
    }
    return result;
  }
}
