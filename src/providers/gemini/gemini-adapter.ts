import {
  geminiProviderCodec,
  parseBatchEmbedContentsResponse,
  parseCountTokensResponse,
  renderBatchEmbedContentsRequest,
  renderCountTokensRequest,
} from '../../formats/gemini/index.ts';
import { type ProviderAdapter, type UpstreamCredential, jsonPost } from '../provider-adapter.ts';

// API keys go in x-goog-api-key; a Google OAuth access token (Gemini CLI login) is a bearer token.
const headers = (credential: UpstreamCredential): Record<string, string> =>
  credential.auth === 'oauth' ? { authorization: `Bearer ${credential.apiKey}` } : { 'x-goog-api-key': credential.apiKey };
/** `<base>/v1beta/models/<model>:<method>`; the model is path-encoded so a crafted name cannot change the path. */
const modelUrl = (baseUrl: string, model: string, method: string): string =>
  `${baseUrl}/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;

/**
 * Google's Generative Language API (Gemini) with an API key (`x-goog-api-key`). Base URL without version
 * (`https://generativelanguage.googleapis.com`). Streams are always requested as SSE (`alt=sse`).
 */
export const geminiAdapter: ProviderAdapter = {
  type: 'gemini',
  codec: geminiProviderCodec,
  chatCall: (request, target) =>
    jsonPost(
      request.stream ? `${modelUrl(target.baseUrl, request.model, 'streamGenerateContent')}?alt=sse` : modelUrl(target.baseUrl, request.model, 'generateContent'),
      headers(target.credential),
      geminiProviderCodec.renderRequest(request),
      request.stream,
    ),
  embeddings: {
    call: (request, target) =>
      jsonPost(modelUrl(target.baseUrl, request.model, 'batchEmbedContents'), headers(target.credential), renderBatchEmbedContentsRequest(request, request.model)),
    parse: (body, request) => parseBatchEmbedContentsResponse(body, request.model),
  },
  countTokens: {
    call: (request, target) => jsonPost(modelUrl(target.baseUrl, request.model, 'countTokens'), headers(target.credential), renderCountTokensRequest(request)),
    parse: parseCountTokensResponse,
  },
};
