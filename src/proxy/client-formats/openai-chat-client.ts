import { createChatStreamRenderer, parseChatRequest, renderChatResponse } from '../../formats/openai-chat/index.ts';
import type { ClientFormat } from './client-format.ts';

/** OpenAI Chat Completions as a client format (`POST /v1/chat/completions`). */
export const openAIChatClient: ClientFormat = {
  wireFormat: 'openai',
  parseRequest: (body) => parseChatRequest(body),
  renderResponse: renderChatResponse,
  createStreamWriter(request) {
    const renderer = createChatStreamRenderer({ includeUsage: request.streamUsage === true });
    return {
      contentType: 'text/event-stream; charset=utf-8',
      event: (event) => renderer.render(event),
      end: () => renderer.renderDone(),
      // OpenAI reports a failure inside a stream as a data event carrying an `error` object (the SDK raises it).
      error: (body) => renderer.renderError(body),
    };
  },
};
