import { RampartError } from '../errors/catalogue.ts';
import type { AccessTokenSource } from '../oauth/token-refresher.ts';
import type { PooledCredential } from '../routing/router.ts';

/**
 * The credential an attempt signs with: API-key credentials as they are; OAuth ones as a copy carrying a fresh
 * access token (refreshed first when it is about to expire). A token that cannot be had fails the attempt like an
 * upstream 401 would, so failover moves to the next credential and this one cools down. The token lives only in
 * the copy, for this one call.
 */
export async function signedCredential(tokens: AccessTokenSource | undefined, credential: PooledCredential): Promise<PooledCredential> {
  if (credential.auth !== 'oauth') return credential;
  if (tokens === undefined) {
    throw new RampartError('RAMPART_UPSTREAM_AUTH', { message: 'An OAuth upstream credential was chosen but no token refresher is running.' });
  }
  try {
    return { ...credential, apiKey: await tokens.accessToken(credential.id) };
  } catch (error) {
    // The cause (an OAuthError) holds no secret, but it stays out of the client's answer all the same.
    throw new RampartError('RAMPART_UPSTREAM_AUTH', { message: 'The OAuth access token of the chosen upstream credential could not be refreshed.', cause: error });
  }
}
