import { anthropicProviderCodec, parseCountTokensResponse, renderCountTokensRequest } from '../../formats/anthropic/index.ts';
import { type ProviderAdapter, type UpstreamCredential, jsonPost } from '../provider-adapter.ts';

/** The Messages API version Rampart speaks (sent as `anthropic-version`, required by the API). */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The `anthropic-beta` flag Claude Code sends with a subscription (OAuth) access token; the API refuses such a token
 * without it. Merged with any beta flags the client sent (outboundHeaders).
 */
export const ANTHROPIC_OAUTH_BETA = 'oauth-2025-04-20';

// API keys go in x-api-key; OAuth access tokens as a bearer token with the OAuth beta flag, and never x-api-key.
const headers = (credential: UpstreamCredential): Record<string, string> =>
  credential.auth === 'oauth'
    ? { authorization: `Bearer ${credential.apiKey}`, 'anthropic-version': ANTHROPIC_VERSION, 'anthropic-beta': ANTHROPIC_OAUTH_BETA }
    : { 'x-api-key': credential.apiKey, 'anthropic-version': ANTHROPIC_VERSION };

/** Anthropic's Messages API with an API key (`x-api-key`). Base URL without version (`https://api.anthropic.com`). */
export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  codec: anthropicProviderCodec,
  // Claude Code turns features on with `anthropic-beta` (e.g. interleaved thinking, 1M context).
  passThroughHeaders: ['anthropic-beta'],
  chatCall: (request, target) =>
    jsonPost(`${target.baseUrl}/v1/messages`, headers(target.credential), anthropicProviderCodec.renderRequest(request), request.stream),
  countTokens: {
    call: (request, target) => jsonPost(`${target.baseUrl}/v1/messages/count_tokens`, headers(target.credential), renderCountTokensRequest(request)),
    parse: parseCountTokensResponse,
  },
};
