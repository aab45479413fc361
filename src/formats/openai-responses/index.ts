/**
 * OpenAI Responses (`POST /v1/responses`) ↔ canonical model, client side: parse requests, render responses and
 * streams. Rampart does not call a Responses upstream; requests are served by any provider through the canonical
 * model, and Responses-only settings ride in `extensions.openaiResponses`.
 */
export { parseResponsesRequest, OPENAI_RESPONSES_PASSTHROUGH_FIELDS } from './parse-request.ts';
export { renderResponsesResponse } from './render-response.ts';
export { createResponsesStreamRenderer, type ResponsesStreamRenderer } from './render-stream.ts';
export { responseId } from './response-object.ts';
export { openAIResponsesClientCodec } from './codecs.ts';
