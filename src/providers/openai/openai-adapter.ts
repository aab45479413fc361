import { openAIChatProviderCodec } from '../../formats/openai-chat/index.ts';
import { parseEmbeddingsResponse, renderEmbeddingsRequest } from '../../formats/openai-embeddings/index.ts';
import { type ProviderAdapter, jsonPost } from '../provider-adapter.ts';

const bearer = (apiKey: string): Record<string, string> => ({ authorization: `Bearer ${apiKey}` });

/**
 * OpenAI's API (Chat Completions + Embeddings), bearer-key auth. The base URL includes the version segment
 * (`https://api.openai.com/v1`), as the SDK's baseURL does.
 */
export const openAIAdapter: ProviderAdapter = {
  type: 'openai',
  codec: openAIChatProviderCodec,
  chatCall: (request, target) =>
    jsonPost(`${target.baseUrl}/chat/completions`, bearer(target.credential.apiKey), openAIChatProviderCodec.renderRequest(request), request.stream),
  embeddings: {
    call: (request, target) => jsonPost(`${target.baseUrl}/embeddings`, bearer(target.credential.apiKey), renderEmbeddingsRequest(request)),
    parse: (body) => parseEmbeddingsResponse(body),
  },
};

/** Any server that speaks OpenAI's Chat Completions (vLLM, Ollama, OpenRouter, DeepSeek, …): same wire, own base URL. */
export const openAICompatibleAdapter: ProviderAdapter = { ...openAIAdapter, type: 'openai-compatible' };
