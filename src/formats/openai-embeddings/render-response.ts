/**
 * CanonicalEmbeddingResponse → the embeddings list object a client's openai SDK expects.
 * Wire shape: API reference, "The embedding object" and "Create embeddings" (CreateEmbeddingResponse in openai-node).
 */
import type { CanonicalEmbeddingResponse } from '../canonical/types.ts';
import { encodeFloat32Base64 } from './base64-floats.ts';

/**
 * Render the answer in the client's encoding: float arrays, or base64 float32 text (the openai SDK asks for base64
 * by default and decodes it). Embeddings have no output tokens, so `total_tokens` equals `prompt_tokens`; an upstream
 * that reported no usage is rendered as 0, the only number the required field can hold.
 */
export function renderEmbeddingsResponse(response: CanonicalEmbeddingResponse, encodingFormat: 'float' | 'base64' = 'float'): Record<string, unknown> {
  const tokens = response.usage?.inputTokens ?? 0;
  return {
    object: 'list',
    data: response.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encodingFormat === 'base64' ? encodeFloat32Base64(vector) : vector,
    })),
    model: response.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
