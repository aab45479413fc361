/**
 * Upstream embeddings response → CanonicalEmbeddingResponse.
 * Wire shape: API reference, "The embedding object" and "Create embeddings" (CreateEmbeddingResponse in openai-node).
 */
import type { CanonicalEmbeddingResponse } from '../canonical/types.ts';
import { isAbsent } from '../canonical/wire-checks.ts';
import { expectArray, expectCount, expectInteger, expectRecord, expectString, fail, isRecord, typeName } from '../openai-chat/wire-checks.ts';
import { decodeFloat32Base64 } from './base64-floats.ts';

/**
 * Parse an upstream answer. Vectors may be float arrays (what Rampart asks for) or base64 float32 text (what a
 * server that ignores `encoding_format` might still send). `data` is ordered by each entry's `index`, which the
 * reference makes authoritative; entries without one (some compatible servers) keep their position.
 */
export function parseEmbeddingsResponse(body: unknown): CanonicalEmbeddingResponse {
  if (!isRecord(body)) fail(`Expected an embeddings list object, got ${typeName(body)}`, null);
  const data = expectArray(body.data, 'data');
  const embeddings: number[][] = new Array<number[]>(data.length);
  for (let i = 0; i < data.length; i++) {
    const param = `data[${i}]`;
    const entry = expectRecord(data[i], param);
    const index = isAbsent(entry.index) ? i : expectInteger(entry.index, `${param}.index`, 0, data.length - 1);
    if (embeddings[index] !== undefined) fail(`Duplicate embedding index ${index}`, `${param}.index`);
    embeddings[index] = parseVector(entry.embedding, `${param}.embedding`);
  }
  const response: CanonicalEmbeddingResponse = { model: expectString(body.model, 'model'), embeddings };
  if (!isAbsent(body.usage)) {
    const usage = expectRecord(body.usage, 'usage');
    response.usage = { inputTokens: expectCount(usage.prompt_tokens, 'usage.prompt_tokens') };
  }
  return response;
}

function parseVector(value: unknown, param: string): number[] {
  if (typeof value === 'string') return decodeFloat32Base64(value, param);
  const list = expectArray(value, param);
  for (let j = 0; j < list.length; j++) {
    const item = list[j];
    if (typeof item !== 'number' || !Number.isFinite(item)) fail(`Expected a number at ${param}[${j}], got ${typeName(item)}`, `${param}[${j}]`);
  }
  return list as number[];
}
