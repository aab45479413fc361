import { randomBytes, randomUUID } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 id with a prefix, shaped like OpenAI's (`chatcmpl-` + 29 chars, `call_` + 24 chars). */
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  // The modulo bias is irrelevant: these ids only need to look real and not collide.
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}

/** OpenAI-style request id: `req_` + 32 hex characters. */
export function requestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}
