import { anthropicClientCodec, anthropicProviderCodec } from '../../src/formats/anthropic/index.ts';
import type { ClientCodec, ProviderCodec } from '../../src/formats/canonical/codec.ts';
import { geminiClientCodec, geminiProviderCodec } from '../../src/formats/gemini/index.ts';
import { openAIChatClientCodec, openAIChatProviderCodec } from '../../src/formats/openai-chat/index.ts';
import { openAIResponsesClientCodec } from '../../src/formats/openai-responses/index.ts';

/** Client-side codecs by the name used in golden folder names (`<client>-to-<provider>`). */
export const clientCodecs: Record<string, ClientCodec> = {
  'openai-chat': openAIChatClientCodec,
  'openai-responses': openAIResponsesClientCodec,
  anthropic: anthropicClientCodec,
  gemini: geminiClientCodec,
};

/** Provider-side codecs by golden folder name. */
export const providerCodecs: Record<string, ProviderCodec> = {
  'openai-chat': openAIChatProviderCodec,
  anthropic: anthropicProviderCodec,
  gemini: geminiProviderCodec,
};
