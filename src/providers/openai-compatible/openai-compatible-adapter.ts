import { createChatStreamParser, parseChatResponse, renderChatRequest } from '../../formats/openai-chat/index.ts';
import type { ProviderAdapter } from '../provider-adapter.ts';

/**
 * Any server that speaks OpenAI's Chat Completions (vLLM, Ollama, OpenRouter, DeepSeek, …): base URL + bearer key.
 * The base URL includes the version segment (e.g. `https://api.example.com/v1`), as those vendors document it.
 */
export const openAICompatibleAdapter: ProviderAdapter = {
  type: 'openai-compatible',
  buildChatCall(request, target) {
    return {
      url: `${target.baseUrl}/chat/completions`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: request.stream ? 'text/event-stream' : 'application/json',
        authorization: `Bearer ${target.credential.apiKey}`,
        'user-agent': 'rampart',
      },
      body: JSON.stringify(renderChatRequest(request)),
    };
  },
  parseChatResponse,
  createChatStreamParser,
};
