/**
 * The `email` claim of an OpenID Connect id_token, or undefined. The signature is not checked: the token came
 * straight from the provider's token endpoint over TLS, which OIDC Core §3.1.3.7 accepts in place of a signature
 * check, and the claim only labels the credential (it grants nothing).
 */
export function idTokenEmail(idToken: string | undefined): string | undefined {
  if (idToken === undefined) return undefined;
  const payload = idToken.split('.')[1];
  if (payload === undefined || payload.length > 16_384) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const email = (claims as Record<string, unknown>).email;
    return isEmail(email) ? email : undefined;
  } catch {
    return undefined;
  }
}

/** A plausible address, short and single-line: it ends up in listings and the dashboard. */
export function isEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value);
}
