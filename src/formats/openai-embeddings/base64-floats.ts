/**
 * Embedding vectors as base64 text: the bytes of little-endian IEEE 754 float32 values, one after another. That is
 * what OpenAI returns for `encoding_format: "base64"`, and what the openai SDKs decode (openai-node
 * `toFloat32Array`: `new Float32Array(Buffer.from(text, 'base64').buffer)`, little-endian on every platform Node runs on).
 */
import { fail } from '../openai-chat/wire-checks.ts';

const FLOAT32_BYTES = 4;
/** Canonical base64 (RFC 4648 §4) with padding: what OpenAI sends; Buffer would silently skip anything else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Encode a vector; values are rounded to float32, the precision embedding models produce. */
export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * FLOAT32_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * FLOAT32_BYTES, vector[i] ?? 0, true);
  return Buffer.from(bytes.buffer).toString('base64');
}

/** Decode base64 float32 text found at `param`; throws FormatError on malformed text or a non-finite value. */
export function decodeFloat32Base64(text: string, param: string): number[] {
  if (!BASE64.test(text)) fail(`Expected base64 text at ${param}`, param);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % FLOAT32_BYTES !== 0) fail(`${param} must hold a whole number of float32 values`, param);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Array<number>(bytes.length / FLOAT32_BYTES);
  for (let i = 0; i < vector.length; i++) {
    const value = view.getFloat32(i * FLOAT32_BYTES, true);
    if (!Number.isFinite(value)) fail(`${param} holds a value that is not a finite number`, param);
    vector[i] = value;
  }
  return vector;
}
