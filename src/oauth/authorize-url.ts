import type { OAuthProviderSettings } from '../config/oauth-schema.ts';

/** What one login puts into its authorization URL besides the provider's settings. */
export interface AuthorizeRequest {
  redirectUri: string;
  state: string;
  challenge: string;
}

/** Parameters the flow owns: configured extras may add to them, never replace them (a downgrade to `plain`, say). */
const CORE_PARAMS = new Set(['client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method']);

/** The redirect URI registered for the provider's client: loopback host, callback port and path. */
export function redirectUriFor(settings: Pick<OAuthProviderSettings, 'redirectHost' | 'callbackPath'>, port: number): string {
  return `http://${settings.redirectHost}:${port}${settings.callbackPath}`;
}

/** The authorization-code + PKCE (S256) URL the user opens (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export function buildAuthorizeUrl(settings: OAuthProviderSettings, request: AuthorizeRequest): string {
  const url = new URL(settings.authorizeUrl);
  const params = url.searchParams;
  for (const [name, value] of Object.entries(settings.extraAuthorizeParams)) {
    if (!CORE_PARAMS.has(name)) params.set(name, value);
  }
  params.set('client_id', settings.clientId);
  params.set('response_type', 'code');
  params.set('redirect_uri', request.redirectUri);
  params.set('scope', settings.scopes.join(' '));
  params.set('state', request.state);
  params.set('code_challenge', request.challenge);
  params.set('code_challenge_method', 'S256');
  return url.toString();
}
