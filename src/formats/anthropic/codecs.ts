import type { ClientCodec, ProviderCodec } from '../canonical/codec.ts';
import { assertNoForeignFeatures } from '../canonical/foreign-features.ts';
import { parseMessagesRequest } from './parse-request.ts';
import { parseMessagesResponse } from './parse-response.ts';
import { createMessagesStreamParser } from './parse-stream.ts';
import { renderMessagesRequest } from './render-request.ts';
import { renderMessagesResponse } from './render-response.ts';
import { createMessagesStreamRenderer } from './render-stream.ts';

/** Anthropic Messages as clients speak it (`POST /v1/messages`: the Anthropic SDK, Claude Code). */
export const anthropicClientCodec: ClientCodec = {
  parseRequest: (body) => parseMessagesRequest(body),
  renderResponse: renderMessagesResponse,
  createStreamRenderer() {
    const renderer = createMessagesStreamRenderer();
    return {
      contentType: 'text/event-stream; charset=utf-8',
      render: (event) => renderer.render(event),
      end: () => renderer.end(),
      // Anthropic reports a failure inside a stream as `event: error` (the SDK raises it as an APIError).
      error: (body) => renderer.error(body),
    };
  },
};

/** Anthropic Messages as the upstream speaks it (api.anthropic.com and compatible endpoints). */
export const anthropicProviderCodec: ProviderCodec = {
  renderRequest: (request) => {
    assertNoForeignFeatures(request, 'anthropic');
    return renderMessagesRequest(request);
  },
  parseResponse: parseMessagesResponse,
  createStreamParser() {
    const parser = createMessagesStreamParser();
    return { push: (data, event) => parser.push(data, event), end: () => parser.end() };
  },
};
