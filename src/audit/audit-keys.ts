import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createFileExclusive, readOrCreateSecret } from '../lib/secure-file.ts';
import type { AuditPaths } from './audit-files.ts';

/** Hex characters a fingerprint keeps: 24 (96 bits), enough that two secrets of one installation never collide. */
export const FINGERPRINT_HEX_LENGTH = 24;

/** Salted HMAC-SHA-256 fingerprints of secrets, under the audit directory's salt. */
export class SecretFingerprinter {
  readonly #salt: KeyObject;

  constructor(salt: KeyObject) {
    this.#salt = salt;
  }

  /** Loads (creating if needed) the salt file. */
  static async open(paths: AuditPaths): Promise<SecretFingerprinter> {
    return new SecretFingerprinter(createSecretKey(await readOrCreateSecret(paths.salt, 32)));
  }

  /** HMAC-SHA-256(salt, secret), hex, truncated to FINGERPRINT_HEX_LENGTH. */
  fingerprint(secret: string): string {
    return createHmac('sha256', this.#salt).update(secret, 'utf8').digest('hex').slice(0, FINGERPRINT_HEX_LENGTH);
  }
}

/** The checkpoint signing key: its public half and an id naming it (first 16 hex of SHA-256 over the SPKI DER). */
export interface VerifyingKey {
  publicKey: KeyObject;
  keyId: string;
}

/** The key pair that signs checkpoints and the head file. */
export interface SigningKey extends VerifyingKey {
  privateKey: KeyObject;
}

/** Id of a public key: short, stable, printed by verify so the operator can compare it with their copy. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Reads a PEM public key (the exported file or an operator's copy). */
export async function readPublicKey(file: string): Promise<VerifyingKey> {
  const publicKey = createPublicKey(await readFile(file, 'utf8'));
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 public key`);
  return { publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * Loads the checkpoint key pair, generating it on first use. The private key is created like the other secrets
 * (temp file, fsync, hard link: two processes starting at once agree on one key); the public key is (re)written
 * from it whenever it is missing.
 */
export async function loadOrCreateSigningKey(paths: AuditPaths): Promise<SigningKey> {
  let pem = await readIfExists(paths.privateKey);
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('ed25519');
    await createFileExclusive(paths.privateKey, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    pem = await readFile(paths.privateKey, 'utf8');
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${paths.privateKey} is not an Ed25519 private key`);
  const publicKey = createPublicKey(privateKey);
  if ((await readIfExists(paths.publicKey)) === undefined) {
    await createFileExclusive(paths.publicKey, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  }
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** Ed25519 signature (base64) of a message. */
export function signMessage(key: SigningKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64');
}

/** Whether `signature` (base64) is a valid Ed25519 signature of `message` under the key. */
export function verifyMessage(key: VerifyingKey, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The message a checkpoint signs: what it covers and when. */
export function checkpointMessage(covers: number, head: string, time: string): string {
  return `rampart-audit-checkpoint:v1:${covers}:${head}:${time}`;
}

/** The message the head file signs. */
export function headMessage(head: { index: number; hash: string; time: string; checkpointIndex: number; checkpointTime: string }): string {
  return `rampart-audit-head:v1:${head.index}:${head.hash}:${head.time}:${head.checkpointIndex}:${head.checkpointTime}`;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

