/** Errors of the credential vault. Messages name credential ids and key versions, never a secret or key. */

/** A blob that does not decrypt to a valid secret: tampered, moved, truncated, wrong or retired key. */
export class VaultDecryptError extends Error {
  override readonly name = 'VaultDecryptError';
  readonly credentialId: string;

  constructor(credentialId: string, reason: string) {
    super(`credential "${credentialId}" cannot be decrypted: ${reason}`);
    this.credentialId = credentialId;
  }
}

/** An input the vault refuses (bad id, unknown kind, oversized label, …); meant for the operator as is. */
export class VaultInputError extends Error {
  override readonly name = 'VaultInputError';
}

/** No credential has this id. */
export class CredentialNotFoundError extends Error {
  override readonly name = 'CredentialNotFoundError';
  readonly credentialId: string;

  constructor(credentialId: string) {
    super(`no credential with id "${credentialId}" in the vault (see: rampart credentials list)`);
    this.credentialId = credentialId;
  }
}

/** This process no longer holds the key of the vault's current version (it was rotated by another process). */
export class VaultLockedError extends Error {
  override readonly name = 'VaultLockedError';
}
