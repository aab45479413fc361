import { type KeyObject, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { randomId } from '../lib/ids.ts';
import { timingSafeEqualString } from '../lib/timing-safe.ts';
import type { ClientKeyPatch, ClientKeyRecord, ClientKeyStore } from '../storage/ports.ts';
import {
  KeyValidationError,
  validateCidrs,
  validateCount,
  validateExpiry,
  validateKeyName,
  validateModelGlobs,
  validateOwner,
  validateProviderIds,
  validateRouteGlobs,
} from './key-rules.ts';

export { KeyValidationError, validateKeyName } from './key-rules.ts';

/** Every client key starts with this, so leaked keys are easy to recognise (and to scan for). */
export const CLIENT_KEY_PREFIX = 'rk_live_';
/** How many leading characters of a key are stored and shown to identify it. */
const DISPLAY_PREFIX_LENGTH = CLIENT_KEY_PREFIX.length + 4;
const KEY_PATTERN = /^rk_live_[A-Za-z0-9_-]{43}$/;

/** Why a presented key was refused; each maps to its own error code. */
export type KeyRejection = 'missing' | 'invalid' | 'revoked' | 'expired' | 'disabled' | 'no_keys';

export type AuthResult = { ok: true; key: ClientKeyRecord } | { ok: false; reason: KeyRejection };

/** A key as shown once at creation: the only time the full secret exists outside the client. */
export interface CreatedKey {
  record: ClientKeyRecord;
  key: string;
}

/** Settings shared by create and update: undefined = not given (keep), null = unrestricted (clear). */
export interface KeySettings {
  owner?: string | null;
  /** Model globs (`*`, `?`). */
  models?: readonly string[] | null;
  /** Provider ids. */
  providers?: readonly string[] | null;
  /** Path globs such as `/v1/chat/*`. */
  routes?: readonly string[] | null;
  /** CIDRs or bare addresses, IPv4 or IPv6. */
  ips?: readonly string[] | null;
  expiresAt?: Date | null;
  rps?: number | null;
  burst?: number | null;
  monthlyTokens?: number | null;
  maxTokens?: number | null;
  /** true switches the key off (keeping the first time it was switched off), false on again. */
  disabled?: boolean;
}

export interface CreateKeyInput extends KeySettings {
  name: string;
}

export interface KeyUpdate extends KeySettings {
  name?: string;
}

type ValidSettings = Omit<ClientKeyPatch, 'updatedAt' | 'disabledAt'>;

/** Creates, updates, revokes and authenticates client keys. Keys are stored only as HMAC-SHA-256 under a pepper. */
export class ClientKeyService {
  readonly #store: ClientKeyStore;
  readonly #pepper: KeyObject;

  constructor(store: ClientKeyStore, pepper: Buffer) {
    this.#store = store;
    // A KeyObject is imported once; a raw Buffer would be re-imported on every HMAC.
    this.#pepper = createSecretKey(pepper);
  }

  /**
   * Creates a key; the returned `key` must be shown to the operator now, it cannot be recovered later. A bare string
   * is the name of a key without restrictions. Throws KeyValidationError for a bad setting.
   */
  async create(input: CreateKeyInput | string, now = new Date()): Promise<CreatedKey> {
    const spec: CreateKeyInput = typeof input === 'string' ? { name: input } : input;
    const settings = validateSettings(spec, now);
    const key = CLIENT_KEY_PREFIX + randomBytes(32).toString('base64url');
    const record: ClientKeyRecord = {
      id: randomId('key'),
      name: validateKeyName(spec.name),
      prefix: key.slice(0, DISPLAY_PREFIX_LENGTH),
      hash: this.hash(key),
      createdAt: now,
      revokedAt: null,
      updatedAt: now,
      owner: settings.owner ?? null,
      models: settings.models ?? null,
      providers: settings.providers ?? null,
      routes: settings.routes ?? null,
      ips: settings.ips ?? null,
      expiresAt: settings.expiresAt ?? null,
      rps: settings.rps ?? null,
      burst: settings.burst ?? null,
      monthlyTokens: settings.monthlyTokens ?? null,
      maxTokens: settings.maxTokens ?? null,
      disabledAt: spec.disabled === true ? now : null,
    };
    await this.#store.insert(record);
    return { record, key };
  }

  /**
   * Changes settings of a key; returns it as now stored, or undefined when no key has this id. Throws
   * KeyValidationError for a bad setting, an empty change, or a revoked key (revocation is final).
   */
  async update(id: string, changes: KeyUpdate, now = new Date()): Promise<ClientKeyRecord | undefined> {
    const current = await this.#store.findById(id);
    if (!current) return undefined;
    if (current.revokedAt !== null) throw new KeyValidationError(`client key ${id} is revoked; create a new key instead`);
    const settings = validateSettings(changes, now);
    if (Object.keys(settings).length === 0 && changes.disabled === undefined) throw new KeyValidationError('nothing to change');
    // Strictly increasing, even for two updates in one millisecond: caches of compiled scopes key on it.
    const patch: ClientKeyPatch = { ...settings, updatedAt: new Date(Math.max(now.getTime(), current.updatedAt.getTime() + 1)) };
    if (changes.disabled === true && current.disabledAt === null) patch.disabledAt = now;
    if (changes.disabled === false) patch.disabledAt = null;
    return this.#store.update(id, patch);
  }

  list(): Promise<ClientKeyRecord[]> {
    return this.#store.list();
  }

  /** One key by id, with all its settings (never the key itself, which is not stored). */
  show(id: string): Promise<ClientKeyRecord | undefined> {
    return this.#store.findById(id);
  }

  /** Revokes by id; false when no such key exists. */
  revoke(id: string, now = new Date()): Promise<boolean> {
    return this.#store.revoke(id, now);
  }

  /**
   * Checks a presented key: one HMAC and one indexed lookup. Unknown and malformed keys are indistinguishable to the
   * caller; a known key is refused as revoked, expired or disabled (in that order). Scopes are checked by the caller
   * (pipeline/key-scope.ts), which knows the route, address and model.
   */
  async authenticate(presented: string | undefined, now: Date = new Date()): Promise<AuthResult> {
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
    if (record.expiresAt !== null && record.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    if (record.disabledAt !== null) return { ok: false, reason: 'disabled' };
    return { ok: true, key: record };
  }

  /**
   * The stored key a presented key belongs to, whatever its state (revoked, expired, disabled included), or undefined.
   * For audit events of refused keys, so they can name whose key it was; never use it to let a request in.
   */
  async identify(presented: string): Promise<ClientKeyRecord | undefined> {
    if (!KEY_PATTERN.test(presented)) return undefined;
    const hash = this.hash(presented);
    const record = await this.#store.findByHash(hash);
    return record !== undefined && timingSafeEqualString(record.hash, hash) ? record : undefined;
  }

  /** HMAC-SHA-256 of a key under this instance's pepper, hex. */
  hash(key: string): string {
    return createHmac('sha256', this.#pepper).update(key, 'utf8').digest('hex');
  }
}

/** Validates the settings that were given; the result holds only those, so it doubles as an update patch. */
function validateSettings(input: KeyUpdate, now: Date): ValidSettings {
  const out: ValidSettings = {};
  if (input.name !== undefined) out.name = validateKeyName(input.name);
  if (input.owner !== undefined) out.owner = orNull(input.owner, validateOwner);
  if (input.models !== undefined) out.models = orNull(input.models, validateModelGlobs);
  if (input.providers !== undefined) out.providers = orNull(input.providers, validateProviderIds);
  if (input.routes !== undefined) out.routes = orNull(input.routes, validateRouteGlobs);
  if (input.ips !== undefined) out.ips = orNull(input.ips, validateCidrs);
  if (input.expiresAt !== undefined) out.expiresAt = orNull(input.expiresAt, (at) => validateExpiry(at, now));
  if (input.rps !== undefined) out.rps = orNull(input.rps, (n) => validateCount('rps', n));
  if (input.burst !== undefined) out.burst = orNull(input.burst, (n) => validateCount('burst', n));
  if (input.monthlyTokens !== undefined) out.monthlyTokens = orNull(input.monthlyTokens, (n) => validateCount('monthlyTokens', n));
  if (input.maxTokens !== undefined) out.maxTokens = orNull(input.maxTokens, (n) => validateCount('maxTokens', n));
  return out;
}

function orNull<T, R>(value: T | null, check: (value: T) => R): R | null {
  return value === null ? null : check(value);
}
