import { openAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.ts';
import type { ProviderAdapter } from './provider-adapter.ts';

/** Every provider type Rampart knows, as an explicit list (no plugin discovery, no import side effects). */
const adapters: readonly ProviderAdapter[] = [openAICompatibleAdapter];

/** The adapter for a provider `type` from the config; the schema guarantees it exists. */
export function adapterFor(type: string): ProviderAdapter {
  const adapter = adapters.find((a) => a.type === type);
  if (!adapter) throw new Error(`no adapter for provider type "${type}"`);
  return adapter;
}
