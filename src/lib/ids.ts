import { randomBytes } from 'node:crypto';

/** A random identifier with a readable prefix, e.g. `key_3f9a…` (96 bits of entropy). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** A request id: short, unique enough to correlate logs and errors, safe in headers. */
export function requestId(): string {
  return `req_${randomBytes(12).toString('base64url')}`;
}
