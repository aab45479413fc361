/**
 * OpenAI embeddings (`POST /v1/embeddings`) ↔ canonical model: the client side (parse requests, render responses)
 * and the upstream side (render requests, parse responses), for OpenAI and every OpenAI-compatible server.
 */
export { parseEmbeddingsRequest, MAX_EMBEDDING_INPUTS } from './parse-request.ts';
export { renderEmbeddingsRequest } from './render-request.ts';
export { parseEmbeddingsResponse } from './parse-response.ts';
export { renderEmbeddingsResponse } from './render-response.ts';
export { encodeFloat32Base64, decodeFloat32Base64 } from './base64-floats.ts';
