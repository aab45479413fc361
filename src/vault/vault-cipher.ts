import { type KeyObject, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-GCM nonce size: 96 bits, the size GCM is specified for (NIST SP 800-38D §5.2.1.1). */
export const NONCE_BYTES = 12;
/** Full 128-bit authentication tag; shorter tags weaken GCM. */
export const TAG_BYTES = 16;

/** Why a blob could not be opened; the caller turns it into an error that names the credential. */
export class BlobAuthenticationError extends Error {
  override readonly name = 'BlobAuthenticationError';
}

/**
 * The additional authenticated data of a credential's blob: a format label, the credential id and its provider.
 * A blob copied to another record (or moved to another provider's pool) therefore fails authentication instead of
 * handing one provider's secret to another. Length-prefixed so no two (id, provider) pairs share an encoding.
 */
export function credentialAad(credentialId: string, providerId: string): Buffer {
  const parts = ['rampart-vault-v1', credentialId, providerId].map((part) => Buffer.from(part, 'utf8'));
  const out: Buffer[] = [];
  for (const part of parts) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    out.push(length, part);
  }
  return Buffer.concat(out);
}

/**
 * Encrypts with AES-256-GCM under a fresh random 96-bit nonce (never reused: at 2^32 writes per key the collision
 * chance is still below 2^-32, and rotation resets the count). Returns base64 of nonce ‖ ciphertext ‖ tag.
 */
export function sealBlob(key: KeyObject, aad: Buffer, plaintext: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/**
 * Decrypts a blob made by `sealBlob`. Any change to nonce, ciphertext, tag or AAD, a truncated blob or the wrong key
 * throws BlobAuthenticationError: GCM releases no plaintext unless the tag verifies, so garbage never comes out.
 */
export function openBlob(key: KeyObject, aad: Buffer, blob: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(blob) || blob.length % 4 !== 0) throw new BlobAuthenticationError('the blob is not valid base64');
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new BlobAuthenticationError(`the blob is truncated (${bytes.length} bytes)`);
  const nonce = bytes.subarray(0, NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    plaintext.fill(0);
    throw new BlobAuthenticationError('the blob failed authentication (tampered, truncated, copied from another credential, or encrypted under a different key)');
  }
}
