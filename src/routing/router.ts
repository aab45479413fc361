import { type ProviderConfig, providerBaseUrl } from '../config/schema.ts';
import type { ReasoningOptions } from '../formats/canonical/types.ts';
import type { ProviderAdapter, UpstreamCredential } from '../providers/provider-adapter.ts';
import { adapterFor } from '../providers/registry.ts';
import type { UpstreamTimeouts } from '../upstream/upstream-client.ts';
import { parseModelName } from './model-name.ts';
import { CredentialPool } from './pool.ts';

/** A pool member: the credential plus its share under the weighted policy. */
export type PooledCredential = UpstreamCredential & { weight: number };

/** A configured provider, ready to serve: its adapter, credential pool, models and limits. */
export interface ProviderRuntime {
  id: string;
  adapter: ProviderAdapter;
  baseUrl: string;
  pool: CredentialPool<PooledCredential>;
  /** Client-visible model name → name sent upstream (the same unless it is an alias). */
  models: ReadonlyMap<string, string>;
  timeouts: UpstreamTimeouts;
  allowPrivateNetwork: boolean;
}

/** One place a request may go: a provider and the model name to ask it for. */
export interface RouteTarget {
  provider: ProviderRuntime;
  upstreamModel: string;
  /** From a thinking suffix (`model(high)`); overrides what the client's body asked. */
  reasoning?: ReasoningOptions;
}

/** Every target for one requested model, in the order they are tried (primary first, then fallbacks). */
export interface RoutePlan {
  targets: RouteTarget[];
}

/** Why a model name could not be planned. */
export type PlanFailure = 'unknown_model' | 'bad_suffix';

/**
 * Turns a requested model name into a plan: thinking suffix (`name(high)`), provider prefix (`provider/name`),
 * aliases (`{ name, upstream }`), every provider serving the name in config order, then the `routing.fallbacks`
 * chain of the name (one level: fallbacks of fallbacks are not followed, so chains cannot loop).
 */
export class Router {
  readonly #providers: ProviderRuntime[];
  readonly #byId = new Map<string, ProviderRuntime>();
  readonly #fallbacks: Readonly<Record<string, readonly string[]>>;
  /** Each provider's credentials from the config file: kept when vault-sourced members are replaced. */
  readonly #configMembers = new Map<string, readonly PooledCredential[]>();

  constructor(providers: readonly ProviderConfig[], fallbacks: Readonly<Record<string, readonly string[]>> = {}) {
    this.#providers = providers.map(toRuntime);
    for (const p of this.#providers) {
      this.#byId.set(p.id, p);
      this.#configMembers.set(p.id, p.pool.members);
    }
    this.#fallbacks = fallbacks;
  }

  /**
   * Replaces the vault-sourced members of a provider's pool (config members stay first, in config order). A vault
   * member whose id a config member already uses is left out and its id returned. Requests already running keep the
   * pool they started with; the policy's rotation starts afresh. Returns undefined when no provider has this id.
   */
  replaceVaultCredentials(providerId: string, members: readonly PooledCredential[]): string[] | undefined {
    const provider = this.#byId.get(providerId);
    const configured = this.#configMembers.get(providerId);
    if (provider === undefined || configured === undefined) return undefined;
    const taken = new Set(configured.map((m) => m.id));
    const skipped: string[] = [];
    const added: PooledCredential[] = [];
    for (const member of members) {
      if (taken.has(member.id)) skipped.push(member.id);
      else {
        taken.add(member.id);
        added.push(member);
      }
    }
    provider.pool = new CredentialPool([...configured, ...added], provider.pool.policy);
    return skipped;
  }

  /** The plan for `model`, or why there is none. */
  plan(model: string): RoutePlan | PlanFailure {
    const primary = this.#targets(model);
    if (typeof primary === 'string') return primary;
    const targets = [...primary];
    const base = parseModelName(model)?.name ?? model;
    for (const fallback of this.#fallbacks[model] ?? this.#fallbacks[base] ?? []) {
      const more = this.#targets(fallback);
      if (typeof more !== 'string') targets.push(...more);
    }
    return { targets };
  }

  /** Every client-visible model name, with the first provider that serves it. */
  models(): { id: string; providerId: string }[] {
    const seen = new Map<string, string>();
    for (const p of this.#providers) for (const name of p.models.keys()) if (!seen.has(name)) seen.set(name, p.id);
    return [...seen].map(([id, providerId]) => ({ id, providerId }));
  }

  /** Every provider, for cooldown bookkeeping and status pages. */
  providers(): readonly ProviderRuntime[] {
    return this.#providers;
  }

  #targets(model: string): RouteTarget[] | PlanFailure {
    const parsed = parseModelName(model);
    if (!parsed) return 'bad_suffix';
    const reasoning = parsed.reasoning;
    const slash = parsed.name.indexOf('/');
    const pinned = slash > 0 ? this.#byId.get(parsed.name.slice(0, slash)) : undefined;
    // `provider/model` pins a provider only when the prefix is a provider id: model names may contain slashes.
    const candidates = pinned ? [{ provider: pinned, name: parsed.name.slice(slash + 1) }] : this.#providers.map((provider) => ({ provider, name: parsed.name }));
    const targets: RouteTarget[] = [];
    for (const { provider, name } of candidates) {
      const upstreamModel = provider.models.get(name);
      if (upstreamModel !== undefined) targets.push(reasoning ? { provider, upstreamModel, reasoning } : { provider, upstreamModel });
    }
    return targets.length > 0 ? targets : 'unknown_model';
  }
}

function toRuntime(p: ProviderConfig): ProviderRuntime {
  const credentials = p.credentials.map((c, i) => ({ id: c.id ?? `${p.id}#${i}`, apiKey: c.apiKey, weight: c.weight }));
  const models = new Map<string, string>();
  for (const entry of p.models) {
    if (typeof entry === 'string') models.set(entry, entry);
    else models.set(entry.name, entry.upstream);
  }
  return {
    id: p.id,
    adapter: adapterFor(p.type),
    baseUrl: providerBaseUrl(p),
    pool: new CredentialPool(credentials, p.policy),
    models,
    timeouts: p.timeouts,
    allowPrivateNetwork: p.allowPrivateNetwork,
  };
}
