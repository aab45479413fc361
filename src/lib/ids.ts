import { randomBytes } from 'node:crypto';

/** A random identifier with a readable prefix, e.g. `key_3f9a…` (96 bits of entropy). */
export function randomId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

// Request ids must be unique, not unguessable: a random per-process prefix plus a counter costs no syscall per request.
const processPrefix = randomBytes(6).toString('base64url');
let counter = 0;

/** A request id: unique across processes and restarts (random prefix), safe in headers, e.g. `req_Xk3…_1f`. */
export function requestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${processPrefix}${counter.toString(36)}`;
}
