import { stateMatches } from './pkce.ts';
import { OAuthError, oauthErrorCode } from './oauth-error.ts';

/** What an authorization response carries (RFC 6749 §4.1.2 and §4.1.2.1). */
export interface CallbackParams {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
}

/**
 * The authorization code of a callback, or why it is refused: the state must match (constant time, checked first so a
 * forged callback learns nothing else), the provider must not report an error, and a code must be present.
 */
export function checkCallback(params: CallbackParams, expectedState: string): { code: string } | OAuthError {
  if (!stateMatches(expectedState, params.state)) {
    return new OAuthError('state_mismatch', 'the login callback carries the wrong state (a stale or forged authorization response)');
  }
  if (params.error !== undefined) {
    const code = oauthErrorCode(params.error) ?? 'error';
    return code === 'access_denied'
      ? new OAuthError('access_denied', 'the authorization was denied at the provider')
      : new OAuthError('provider_error', `the provider reported "${code}" instead of an authorization code`);
  }
  if (params.code === undefined || params.code === '' || !/^[\x21-\x7e]{1,4096}$/.test(params.code)) {
    return new OAuthError('bad_callback', 'the login callback carries no usable authorization code');
  }
  return { code: params.code };
}

/**
 * Reads what a headless user pastes: the whole redirect URL from the browser's address bar, its query string, or
 * the `code#state` string Claude's code page shows. A bare code without a state is refused by checkCallback: the
 * state is what proves the code belongs to this login.
 */
export function parsePastedCallback(input: string): CallbackParams {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    const url = URL.parse(text);
    if (url === null) return {};
    return fromSearch(url.searchParams);
  }
  if (text.includes('=')) return fromSearch(new URLSearchParams(text.startsWith('?') ? text.slice(1) : text));
  const hash = text.indexOf('#');
  if (hash === -1) return { code: text };
  return { code: text.slice(0, hash), state: text.slice(hash + 1) };
}

function fromSearch(search: URLSearchParams): CallbackParams {
  const get = (name: string): string | undefined => search.get(name) ?? undefined;
  return { code: get('code'), state: get('state'), error: get('error') };
}
