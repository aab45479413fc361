/** Why an OAuth step failed, as a stable code (for audit details and tests). */
export type OAuthErrorCode =
  | 'invalid_grant'
  | 'provider_error'
  | 'http_error'
  | 'timeout'
  | 'network'
  | 'bad_response'
  | 'state_mismatch'
  | 'access_denied'
  | 'bad_callback'
  | 'callback_timeout'
  | 'cancelled'
  | 'no_refresh_token'
  | 'not_oauth'
  | 'invalid_target';

/**
 * A failed OAuth step. The message is one line for the operator and never holds a token, a code or a provider's
 * free-text description (it could echo what was sent); `reason` is a stable code safe for logs and audit events.
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly reason: OAuthErrorCode;

  constructor(reason: OAuthErrorCode, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A provider's RFC 6749 §5.2 `error` value when it looks like one (lower-case code), else undefined. */
export function oauthErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : undefined;
}
