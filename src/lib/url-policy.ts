import { isIP } from 'node:net';
import { isForbiddenAddress } from './address-policy.ts';

// Config-time check of an upstream URL. It sees only what the URL itself says: a host name is resolved, and its
// addresses checked, at connect time by the guarded connector (a DNS answer can change after boot).

/** Said when a URL points at an internal address; names the way out, never the URL (it may carry a secret). */
export const PRIVATE_ADDRESS_PROBLEM =
  'points at a loopback, private, link-local or other internal address; set allowPrivateNetwork: true on this provider if that is intended (e.g. a self-hosted model)';

/**
 * Why `url` cannot be an upstream base URL, or undefined when it can: http(s) only, no credentials, and unless
 * `allowPrivateNetwork` no literal internal address and no `localhost`/`*.localhost` name (RFC 6761 §6.3: those
 * always mean loopback). Messages never echo the URL.
 */
export function upstreamUrlProblem(url: string, allowPrivateNetwork: boolean): string | undefined {
  // WHATWG parsing is what undici uses too, so odd spellings (http://2130706433/, http://0x7f.1/) are judged in
  // the form that will actually be connected to (127.0.0.1).
  const parsed = URL.parse(url);
  if (parsed === null) return 'must be an http(s) URL';
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http(s) URL, not ${parsed.protocol}`;
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials (put them under credentials[].apiKey)';
  if (!allowPrivateNetwork && isInternalHost(parsed.hostname)) return PRIVATE_ADDRESS_PROBLEM;
  return undefined;
}

/** True for a literal forbidden address or a name reserved for loopback; other names are judged at connect time. */
function isInternalHost(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0) return isForbiddenAddress(bare);
  const name = bare.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
