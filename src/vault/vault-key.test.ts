import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeVaultKey, generateVaultKey, keyCheckValue, keyMatches, parseVaultKey } from './vault-key.ts';

describe('parseVaultKey', () => {
  const bytes = randomBytes(32);

  it('accepts 32 bytes as standard base64 (padded or not, surrounding whitespace ignored) or base64url', () => {
    const expected = bytes.toString('hex');
    for (const text of [bytes.toString('base64'), `${bytes.toString('base64')}\n`, bytes.toString('base64').replace(/=$/, ''), `  ${bytes.toString('base64url')}  `]) {
      expect(parseVaultKey(text, 'RAMPART_VAULT_KEY').export().toString('hex')).toBe(expected);
    }
  });

  it.each([
    ['empty', '', /RAMPART_VAULT_KEY is empty/],
    ['whitespace only', ' \n', /RAMPART_VAULT_KEY is empty/],
    ['hex', randomBytes(32).toString('hex'), /looks like hex/],
    ['16 bytes', randomBytes(16).toString('base64'), /is not a vault key \(24 characters\)/],
    ['48 bytes', randomBytes(48).toString('base64'), /is not a vault key \(64 characters\)/],
    ['a passphrase', 'correct horse battery staple', /is not a vault key/],
    ['non-canonical trailing bits', `${randomBytes(32).toString('base64').slice(0, 42)}B=`, /is not a vault key/],
    ['all zero bytes', Buffer.alloc(32).toString('base64'), /all bytes are equal/],
  ])('refuses %s with a clear error that never echoes the text', (_name, text, message) => {
    let error: unknown;
    try {
      parseVaultKey(text, 'RAMPART_VAULT_KEY');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    if (text.trim().length > 4) expect((error as Error).message).not.toContain(text.trim());
  });
});

describe('key check values', () => {
  it('tell the right key from a wrong one and reveal nothing of it', () => {
    const { key, text } = generateVaultKey();
    const check = keyCheckValue(key);
    expect(check).toMatch(/^[0-9a-f]{64}$/);
    expect(keyMatches(key, check)).toBe(true);
    expect(keyMatches(generateVaultKey().key, check)).toBe(false);
    expect(check).not.toContain(Buffer.from(text, 'base64').toString('hex'));
    expect(encodeVaultKey(key)).toBe(`${text}\n`);
    expect(keyMatches(parseVaultKey(encodeVaultKey(key), 'file'), check)).toBe(true);
  });
});
