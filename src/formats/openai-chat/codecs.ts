import type { ClientCodec, ProviderCodec } from '../canonical/codec.ts';
import { assertNoForeignFeatures } from '../canonical/foreign-features.ts';
import { parseChatRequest } from './parse-request.ts';
import { parseChatResponse } from './parse-response.ts';
import { createChatStreamParser } from './parse-stream.ts';
import { renderChatRequest } from './render-request.ts';
import { renderChatResponse } from './render-response.ts';
import { createChatStreamRenderer } from './render-stream.ts';

/** OpenAI Chat Completions as clients speak it (`POST /v1/chat/completions`). */
export const openAIChatClientCodec: ClientCodec = {
  parseRequest: (body) => parseChatRequest(body),
  renderResponse: renderChatResponse,
  createStreamRenderer(request) {
    const renderer = createChatStreamRenderer({ includeUsage: request.streamUsage === true });
    return {
      contentType: 'text/event-stream; charset=utf-8',
      render: (event) => renderer.render(event),
      end: () => renderer.renderDone(),
      // OpenAI reports a failure inside a stream as a data event carrying an `error` object (the SDK raises it).
      error: (body) => renderer.renderError(body),
    };
  },
};

/** OpenAI Chat Completions as upstreams speak it (OpenAI and every OpenAI-compatible server). */
export const openAIChatProviderCodec: ProviderCodec = {
  renderRequest: (request) => {
    assertNoForeignFeatures(request, 'openaiChat');
    return renderChatRequest(request);
  },
  parseResponse: parseChatResponse,
  createStreamParser() {
    const parser = createChatStreamParser();
    return { push: (data) => parser.push(data), end: () => parser.end() };
  },
};
