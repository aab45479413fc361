import type { ClientCodec } from '../canonical/codec.ts';
import { parseResponsesRequest } from './parse-request.ts';
import { renderResponsesResponse } from './render-response.ts';
import { createResponsesStreamRenderer } from './render-stream.ts';

/** OpenAI Responses as clients speak it (`POST /v1/responses`): the official SDKs, Codex CLI. */
export const openAIResponsesClientCodec: ClientCodec = {
  parseRequest: (body) => parseResponsesRequest(body),
  // ClientCodec.renderResponse does not receive the request, so the JSON answer echoes OpenAI's defaults.
  renderResponse: (response) => renderResponsesResponse(response),
  createStreamRenderer(request) {
    const renderer = createResponsesStreamRenderer(request);
    return {
      contentType: 'text/event-stream; charset=utf-8',
      render: (event) => renderer.render(event),
      // No `[DONE]`: the stream ends with response.completed, which end() still writes if usage never came.
      end: () => renderer.end(),
      error: (body) => renderer.error(body),
    };
  },
};
