// Placeholder until the Anthropic translators land; replaced wholesale by them.
import type { ClientCodec, ProviderCodec } from '../canonical/codec.ts';

const missing = (): never => {
  throw new Error('anthropic codec not implemented yet');
};
export const anthropicClientCodec: ClientCodec = { parseRequest: missing, renderResponse: missing, createStreamRenderer: missing };
export const anthropicProviderCodec: ProviderCodec = { renderRequest: missing, parseResponse: missing, createStreamParser: missing };
