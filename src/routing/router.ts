import { type ProviderConfig, providerBaseUrl } from '../config/schema.ts';
import type { ProviderAdapter, UpstreamCredential, UpstreamTarget } from '../providers/provider-adapter.ts';
import { adapterFor } from '../providers/registry.ts';
import type { UpstreamTimeouts } from '../upstream/upstream-client.ts';

/** A configured provider, ready to serve: its adapter, credentials and limits. */
export interface ProviderRuntime {
  id: string;
  adapter: ProviderAdapter;
  baseUrl: string;
  credentials: UpstreamCredential[];
  models: readonly string[];
  timeouts: UpstreamTimeouts;
}

/** The outcome of routing one request. */
export interface Route {
  provider: ProviderRuntime;
  target: UpstreamTarget;
}

/** Picks the provider for a model and a credential within it (round-robin; pools and cooldowns grow here). */
export class Router {
  readonly #byModel = new Map<string, ProviderRuntime>();
  readonly #providers: ProviderRuntime[];
  readonly #cursor = new Map<string, number>();

  constructor(providers: readonly ProviderConfig[]) {
    this.#providers = providers.map((p) => ({
      id: p.id,
      adapter: adapterFor(p.type),
      baseUrl: providerBaseUrl(p),
      credentials: p.credentials.map((c, i) => ({ id: `${p.id}#${i}`, apiKey: c.apiKey })),
      models: p.models,
      timeouts: p.timeouts,
    }));
    // The first provider listing a model serves it; later issues add explicit prefixes and fallbacks.
    for (const provider of this.#providers) {
      for (const model of provider.models) if (!this.#byModel.has(model)) this.#byModel.set(model, provider);
    }
  }

  /** The route for `model`, or undefined when no provider serves it. */
  resolve(model: string): Route | undefined {
    const provider = this.#byModel.get(model);
    if (!provider) return undefined;
    const credential = this.#nextCredential(provider);
    if (!credential) return undefined;
    return { provider, target: { baseUrl: provider.baseUrl, credential } };
  }

  /** Every model served, with the provider that serves it. */
  models(): { id: string; providerId: string }[] {
    return [...this.#byModel].map(([id, provider]) => ({ id, providerId: provider.id }));
  }

  #nextCredential(provider: ProviderRuntime): UpstreamCredential | undefined {
    const at = this.#cursor.get(provider.id) ?? 0;
    this.#cursor.set(provider.id, (at + 1) % Math.max(provider.credentials.length, 1));
    return provider.credentials[at % provider.credentials.length];
  }
}
