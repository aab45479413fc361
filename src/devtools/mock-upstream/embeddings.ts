// Deterministic embedding vectors shared by OpenAI's /v1/embeddings and Gemini's embedContent, so a test can
// compute the exact vector any input gets and compare across APIs.
import { createHash } from 'node:crypto';

/** Vector length when the request names none (real models use 768-3072; tests and benchmarks want small). */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/** Largest vector a request may ask for (the largest real model's size). */
export const MAX_EMBEDDING_DIMENSIONS = 3072;

/**
 * The unit-length vector of a text: components drawn from SHA-256 of `<block>\0<text>`, then normalised. Values
 * are float32 (Math.fround), so the `float` and `base64` encodings carry exactly the same numbers. A shorter
 * vector is a renormalised prefix of a longer one, as OpenAI describes shortening via `dimensions`.
 */
export function embeddingVector(text: string, dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}\0${text}`).digest();
    for (let offset = 0; offset < digest.length && raw.length < dimensions; offset += 4) {
      raw.push((digest.readUInt32LE(offset) / 0x1_0000_0000) * 2 - 1);
    }
  }
  const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0)) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

/** A vector as OpenAI's `encoding_format: "base64"`: little-endian float32 values, base64-encoded. */
export function float32Base64(values: readonly number[]): string {
  const buffer = Buffer.allocUnsafe(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}
