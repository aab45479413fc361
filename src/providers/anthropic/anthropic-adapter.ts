import { anthropicProviderCodec, parseCountTokensResponse, renderCountTokensRequest } from '../../formats/anthropic/index.ts';
import { type ProviderAdapter, jsonPost } from '../provider-adapter.ts';

/** The Messages API version Rampart speaks (sent as `anthropic-version`, required by the API). */
export const ANTHROPIC_VERSION = '2023-06-01';

const headers = (apiKey: string): Record<string, string> => ({ 'x-api-key': apiKey, 'anthropic-version': ANTHROPIC_VERSION });

/** Anthropic's Messages API with an API key (`x-api-key`). Base URL without version (`https://api.anthropic.com`). */
export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  codec: anthropicProviderCodec,
  // Claude Code turns features on with `anthropic-beta` (e.g. interleaved thinking, 1M context).
  passThroughHeaders: ['anthropic-beta'],
  chatCall: (request, target) =>
    jsonPost(`${target.baseUrl}/v1/messages`, headers(target.credential.apiKey), anthropicProviderCodec.renderRequest(request), request.stream),
  countTokens: {
    call: (request, target) => jsonPost(`${target.baseUrl}/v1/messages/count_tokens`, headers(target.credential.apiKey), renderCountTokensRequest(request)),
    parse: parseCountTokensResponse,
  },
};
