/**
 * Anthropic Messages (`POST /v1/messages`, `/v1/messages/count_tokens`, `GET /v1/models`) ↔ canonical model: the
 * client side (parse requests, render responses and streams) and the upstream side (render requests, parse
 * responses and streams).
 */
export { parseMessagesRequest, type AnthropicEndpoint } from './parse-request.ts';
export { renderMessagesRequest, DEFAULT_MAX_TOKENS } from './render-request.ts';
export { parseMessagesResponse } from './parse-response.ts';
export { renderMessagesResponse, type AnthropicMessage } from './render-response.ts';
export { createMessagesStreamParser, type MessagesStreamParser } from './parse-stream.ts';
export { createMessagesStreamRenderer, renderMessagesStreamError, type MessagesStreamRenderer } from './render-stream.ts';
export { parseCountTokensRequest, renderCountTokensResponse, renderCountTokensRequest, parseCountTokensResponse } from './count-tokens.ts';
export { renderModelList, type AnthropicModelInfo, type AnthropicModelList } from './models.ts';
export { parseStopReason, renderStopReason, renderUsage, type AnthropicStopReason, type AnthropicUsage } from './mappings.ts';
export { anthropicClientCodec, anthropicProviderCodec } from './codecs.ts';
