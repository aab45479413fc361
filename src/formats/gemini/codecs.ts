import type { ClientCodec, ProviderCodec } from '../canonical/codec.ts';
import { assertNoForeignFeatures } from '../canonical/foreign-features.ts';
import { parseGenerateContentRequest } from './parse-request.ts';
import { parseGenerateContentResponse } from './parse-response.ts';
import { createGenerateContentStreamParser } from './parse-stream.ts';
import { renderGenerateContentRequest } from './render-request.ts';
import { renderGenerateContentResponse } from './render-response.ts';
import { createGenerateContentStreamRenderer } from './render-stream.ts';

/**
 * Gemini as clients speak it (`POST /v1beta/models/{model}:generateContent` / `:streamGenerateContent`): model and
 * streaming come from the URL (the context); streams are SSE with `?alt=sse`, a JSON array otherwise.
 */
export const geminiClientCodec: ClientCodec = {
  parseRequest: (body, context) => parseGenerateContentRequest(body, context),
  renderResponse: renderGenerateContentResponse,
  createStreamRenderer: (_request, context) => createGenerateContentStreamRenderer({ framing: context?.streamFraming ?? 'sse' }),
};

/** Gemini as upstreams speak it (generativelanguage.googleapis.com; streams requested with `alt=sse`). */
export const geminiProviderCodec: ProviderCodec = {
  renderRequest: (request) => {
    assertNoForeignFeatures(request, 'gemini');
    return renderGenerateContentRequest(request);
  },
  parseResponse: parseGenerateContentResponse,
  createStreamParser() {
    const parser = createGenerateContentStreamParser();
    return { push: (data) => parser.push(data), end: () => parser.end() };
  },
};
