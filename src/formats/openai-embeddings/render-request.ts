/**
 * CanonicalEmbeddingRequest → OpenAI embeddings request body for an upstream (OpenAI or any compatible server).
 * Wire shape: API reference, "Create embeddings" (EmbeddingCreateParams in openai-node).
 */
import type { CanonicalEmbeddingRequest } from '../canonical/types.ts';

/**
 * Render a request body. Upstreams are always asked for floats: every compatible server supports them (not all
 * support base64), and the client's encoding is applied when rendering the answer. `input` is always an array, the
 * form every compatible server accepts for one text or many. `taskType` (Gemini) has no OpenAI equivalent.
 */
export function renderEmbeddingsRequest(request: CanonicalEmbeddingRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, input: request.inputs, encoding_format: 'float' };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  return body;
}
