/**
 * Gemini (Generative Language API v1beta) ↔ canonical model: the client side (parse requests, render responses and
 * streams) and the upstream side (render requests, parse responses and streams), plus countTokens, embeddings, the
 * model list and Google's error body.
 */
export {
  parseGenerateContentRequest,
  modelId,
  GEMINI_PASSTHROUGH_FIELDS,
  GEMINI_GENERATION_PASSTHROUGH_FIELDS,
  MAX_STOP_SEQUENCES,
} from './parse-request.ts';
export { renderGenerateContentRequest } from './render-request.ts';
export { parseGenerateContentResponse } from './parse-response.ts';
export { renderGenerateContentResponse } from './render-response.ts';
export { createGenerateContentStreamParser, type GenerateContentStreamParser } from './parse-stream.ts';
export { createGenerateContentStreamRenderer, type GeminiStreamRendererOptions } from './render-stream.ts';
export { SKIP_SIGNATURE } from './render-contents.ts';
export { schemaToJsonSchema } from './schema.ts';
export { parseCountTokensRequest, renderCountTokensResponse, renderCountTokensRequest, parseCountTokensResponse } from './count-tokens.ts';
export {
  parseEmbedContentRequest,
  parseBatchEmbedContentsRequest,
  renderEmbedContentResponse,
  renderBatchEmbedContentsResponse,
  renderBatchEmbedContentsRequest,
  parseBatchEmbedContentsResponse,
} from './embeddings.ts';
export { renderModelList, type GeminiModel } from './models.ts';
export { renderGeminiError, type GeminiFinishReason, type GeminiUsage } from './mappings.ts';
export { geminiClientCodec, geminiProviderCodec } from './codecs.ts';
