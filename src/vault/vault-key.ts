import { type KeyObject, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { timingSafeEqualString } from '../lib/timing-safe.ts';

/** The environment variable that carries the vault key (32 bytes, base64). */
export const VAULT_KEY_ENV = 'RAMPART_VAULT_KEY';

/** AES-256 key size. */
export const VAULT_KEY_BYTES = 32;

/** Bad key material. Messages name where the key came from, never any part of it. */
export class VaultKeyError extends Error {
  override readonly name = 'VaultKeyError';
}

const STANDARD = /^[A-Za-z0-9+/]{43}=?$/;
const URL_SAFE = /^[A-Za-z0-9_-]{43}$/;
const HINT = 'expected 32 random bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`)';

/**
 * Parses a vault key: exactly 32 bytes as standard base64 (padding optional) or base64url. Surrounding whitespace (a
 * key file's final newline) is ignored; anything else is a VaultKeyError naming `origin` and never echoing the text.
 */
export function parseVaultKey(text: string, origin: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed === '') throw new VaultKeyError(`${origin} is empty: ${HINT}`);
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) throw new VaultKeyError(`${origin} looks like hex: ${HINT}`);
  const standard = STANDARD.test(trimmed);
  if (!standard && !URL_SAFE.test(trimmed)) throw new VaultKeyError(`${origin} is not a vault key (${trimmed.length} characters): ${HINT}`);
  const bytes = Buffer.from(trimmed, standard ? 'base64' : 'base64url');
  // 43 base64 characters carry 258 bits: the last two must be zero for the text to mean exactly these 32 bytes.
  if (bytes.length !== VAULT_KEY_BYTES || bytes.toString(standard ? 'base64' : 'base64url').replace(/=$/, '') !== trimmed.replace(/=$/, '')) {
    bytes.fill(0);
    throw new VaultKeyError(`${origin} is not a vault key: ${HINT}`);
  }
  if (bytes.every((b) => b === bytes[0])) {
    bytes.fill(0);
    throw new VaultKeyError(`${origin} is not a usable vault key (all bytes are equal): ${HINT}`);
  }
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}

/** A new random vault key and its text form (what goes into a key file or RAMPART_VAULT_KEY). */
export function generateVaultKey(): { key: KeyObject; text: string } {
  const bytes = randomBytes(VAULT_KEY_BYTES);
  const text = bytes.toString('base64');
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return { key, text };
}

/** The text form of a key, as a key file holds it (base64 and a newline). */
export function encodeVaultKey(key: KeyObject): string {
  return `${key.export().toString('base64')}\n`;
}

/** Fixed label of the key-check value; a new format gets a new label. */
const CHECK_LABEL = 'rampart vault key check v1';

/**
 * The key-check value stored per key version: HMAC-SHA-256 of a fixed label under the key. It tells at boot whether a
 * key opens a version, and (HMAC being a PRF) says nothing about the key itself.
 */
export function keyCheckValue(key: KeyObject): string {
  return createHmac('sha256', key).update(CHECK_LABEL).digest('hex');
}

/** True when `key` is the key whose check value is `checkValue` (constant-time comparison). */
export function keyMatches(key: KeyObject, checkValue: string): boolean {
  return timingSafeEqualString(keyCheckValue(key), checkValue);
}
