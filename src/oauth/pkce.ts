import { createHash, randomBytes } from 'node:crypto';
import { timingSafeEqualString } from '../lib/timing-safe.ts';

// RFC 7636 (PKCE) with S256 only: `plain` would hand the verifier to whoever sees the authorization request.

/** A PKCE pair: the verifier stays in this process; the challenge goes into the authorization URL. */
export interface PkcePair {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/** base64url without padding (RFC 7636 appendix A). */
function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return base64url(createHash('sha256').update(verifier, 'ascii').digest());
}

/** A fresh verifier from 32 random bytes (43 base64url characters, the RFC's minimum length and 256 bits). */
export function createPkce(): PkcePair {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

/** An unguessable `state` for one login (256 bits), binding the callback to the request that started it. */
export function createState(): string {
  return base64url(randomBytes(32));
}

/** Whether a returned `state` is the expected one, compared in constant time; a missing state never matches. */
export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string' || received === '' || expected === '') return false;
  return timingSafeEqualString(expected, received);
}
