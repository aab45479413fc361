/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`) ↔ canonical model: the client side (parse requests, render
 * responses and streams) and the upstream side (render requests, parse responses and streams).
 */
export { parseChatRequest, OPENAI_CHAT_PASSTHROUGH_FIELDS, type ParseChatRequestOptions } from './parse-request.ts';
export { renderChatRequest } from './render-request.ts';
export { parseChatResponse } from './parse-response.ts';
export { renderChatResponse } from './render-response.ts';
export { createChatStreamParser, type ChatStreamParser } from './parse-stream.ts';
export {
  createChatStreamRenderer,
  renderChatStreamDone,
  renderChatStreamError,
  type ChatStreamRenderer,
  type ChatStreamRendererOptions,
} from './render-stream.ts';
export { type ChatFinishReason, type ChatUsage } from './mappings.ts';
export { openAIChatClientCodec, openAIChatProviderCodec } from './codecs.ts';
