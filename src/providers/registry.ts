import type { ProviderConfig } from '../config/schema.ts';
import { anthropicAdapter } from './anthropic/anthropic-adapter.ts';
import { geminiAdapter } from './gemini/gemini-adapter.ts';
import { openAIAdapter, openAICompatibleAdapter } from './openai/openai-adapter.ts';
import type { ProviderAdapter } from './provider-adapter.ts';

/** Every provider type Rampart knows, as an explicit table (no plugin discovery, no import side effects). */
const adapters: Record<ProviderConfig['type'], ProviderAdapter> = {
  openai: openAIAdapter,
  'openai-compatible': openAICompatibleAdapter,
  anthropic: anthropicAdapter,
  gemini: geminiAdapter,
};

/** The adapter for a provider `type` from the config. */
export function adapterFor(type: ProviderConfig['type']): ProviderAdapter {
  return adapters[type];
}
