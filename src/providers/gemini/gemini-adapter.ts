import {
  geminiProviderCodec,
  parseBatchEmbedContentsResponse,
  parseCountTokensResponse,
  renderBatchEmbedContentsRequest,
  renderCountTokensRequest,
} from '../../formats/gemini/index.ts';
import { type ProviderAdapter, jsonPost } from '../provider-adapter.ts';

const headers = (apiKey: string): Record<string, string> => ({ 'x-goog-api-key': apiKey });
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
      headers(target.credential.apiKey),
      geminiProviderCodec.renderRequest(request),
      request.stream,
    ),
  embeddings: {
    call: (request, target) =>
      jsonPost(modelUrl(target.baseUrl, request.model, 'batchEmbedContents'), headers(target.credential.apiKey), renderBatchEmbedContentsRequest(request, request.model)),
    parse: (body, request) => parseBatchEmbedContentsResponse(body, request.model),
  },
  countTokens: {
    call: (request, target) => jsonPost(modelUrl(target.baseUrl, request.model, 'countTokens'), headers(target.credential.apiKey), renderCountTokensRequest(request)),
    parse: parseCountTokensResponse,
  },
};
