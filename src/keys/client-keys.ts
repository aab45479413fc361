import { type KeyObject, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { randomId } from '../lib/ids.ts';
import { timingSafeEqualString } from '../lib/timing-safe.ts';
import type { ClientKeyRecord, ClientKeyStore } from '../storage/ports.ts';

/** Every client key starts with this, so leaked keys are easy to recognise (and to scan for). */
export const CLIENT_KEY_PREFIX = 'rk_live_';
/** How many leading characters of a key are stored and shown to identify it. */
const DISPLAY_PREFIX_LENGTH = CLIENT_KEY_PREFIX.length + 4;
const KEY_PATTERN = /^rk_live_[A-Za-z0-9_-]{43}$/;

/** Why a presented key was refused; each maps to its own error code. */
export type KeyRejection = 'missing' | 'invalid' | 'revoked' | 'no_keys';

export type AuthResult = { ok: true; key: ClientKeyRecord } | { ok: false; reason: KeyRejection };

/** A key as shown once at creation: the only time the full secret exists outside the client. */
export interface CreatedKey {
  record: ClientKeyRecord;
  key: string;
}

/** Creates, lists, revokes and authenticates client keys. Keys are stored only as HMAC-SHA-256 under a pepper. */
export class ClientKeyService {
  readonly #store: ClientKeyStore;
  readonly #pepper: KeyObject;

  constructor(store: ClientKeyStore, pepper: Buffer) {
    this.#store = store;
    // A KeyObject is imported once; a raw Buffer would be re-imported on every HMAC.
    this.#pepper = createSecretKey(pepper);
  }

  /** Creates a key; the returned `key` must be shown to the operator now, it cannot be recovered later. */
  async create(name: string, now = new Date()): Promise<CreatedKey> {
    const clean = validateKeyName(name);
    const key = CLIENT_KEY_PREFIX + randomBytes(32).toString('base64url');
    const record: ClientKeyRecord = {
      id: randomId('key'),
      name: clean,
      prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
      hash: this.hash(key),
      createdAt: now,
      revokedAt: null,
    };
    await this.#store.insert(record);
    return { record, key };
  }

  list(): Promise<ClientKeyRecord[]> {
    return this.#store.list();
  }

  /** Revokes by id; false when no such key exists. */
  revoke(id: string, now = new Date()): Promise<boolean> {
    return this.#store.revoke(id, now);
  }

  /** Checks a presented key. Unknown and malformed keys are indistinguishable to the caller. */
  async authenticate(presented: string | undefined): Promise<AuthResult> {
    if (presented === undefined || presented === '') {
      return { ok: false, reason: (await this.#store.count()) === 0 ? 'no_keys' : 'missing' };
    }
    const hash = this.hash(presented);
    const record = KEY_PATTERN.test(presented) ? await this.#store.findByHash(hash) : undefined;
    // The lookup is by hash, so no secret-dependent comparison happened yet; compare in constant time before trusting it.
    if (!record || !timingSafeEqualString(record.hash, hash)) {
      return { ok: false, reason: (await this.#store.count()) === 0 ? 'no_keys' : 'invalid' };
    }
    if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
    return { ok: true, key: record };
  }

  /** HMAC-SHA-256 of a key under this instance's pepper, hex. */
  hash(key: string): string {
    return createHmac('sha256', this.#pepper).update(key, 'utf8').digest('hex');
  }
}

/** Key names are labels for humans: 1–100 printable characters, no control characters. */
export function validateKeyName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw new Error('key name must be 1 to 100 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new Error('key name must not contain control characters');
  return trimmed;
}
