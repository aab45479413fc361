// Placeholder until the Gemini translators land; replaced wholesale by them.
import type { ClientCodec, ProviderCodec } from '../canonical/codec.ts';

const missing = (): never => {
  throw new Error('gemini codec not implemented yet');
};
export const geminiClientCodec: ClientCodec = { parseRequest: missing, renderResponse: missing, createStreamRenderer: missing };
export const geminiProviderCodec: ProviderCodec = { renderRequest: missing, parseResponse: missing, createStreamParser: missing };
