import ipaddr from 'ipaddr.js';
import { globSyntaxError } from '../lib/glob.ts';

/** A key setting that is refused; the message names the value and is safe to show to the operator. */
export class KeyValidationError extends Error {
  override readonly name = 'KeyValidationError';
}

/** Most entries one scope list may hold; a longer list is a paste error, and every entry costs at match time. */
export const MAX_SCOPE_ENTRIES = 100;
// The same rule as `providers[].id` in the config schema, so a scope can name every provider and nothing else.
const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Key names are labels for humans: 1–100 printable characters, no control characters. */
export function validateKeyName(name: string): string {
  return validateLabel('key name', name, 100);
}

/** Owners are labels too (a person, team or app), up to 200 characters. */
export function validateOwner(owner: string): string {
  return validateLabel('owner', owner, 200);
}

function validateLabel(what: string, text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > max) throw new KeyValidationError(`${what} must be 1 to ${max} characters`);
  if (CONTROL.test(trimmed)) throw new KeyValidationError(`${what} must not contain control characters`);
  return trimmed;
}

/** Model globs: `*` and `?` only. */
export function validateModelGlobs(list: readonly string[]): string[] {
  return validateList('models', list, (pattern) => {
    const problem = globSyntaxError(pattern);
    if (problem !== undefined) throw new KeyValidationError(`model pattern "${shown(pattern)}" ${problem}`);
    return pattern;
  });
}

/** Route globs: paths as the client sends them (`/v1/chat/*`), without a query string. */
export function validateRouteGlobs(list: readonly string[]): string[] {
  return validateList('routes', list, (pattern) => {
    const problem = globSyntaxError(pattern);
    if (problem !== undefined) throw new KeyValidationError(`route pattern "${shown(pattern)}" ${problem}`);
    if (!pattern.startsWith('/') && pattern !== '*') throw new KeyValidationError(`route pattern "${shown(pattern)}" must start with /`);
    // `?` is a wildcard here, but `/v1/x?alt=sse` was meant as a query string, which routes never match.
    if (/\?[A-Za-z0-9_]+=/.test(pattern)) throw new KeyValidationError(`route pattern "${shown(pattern)}" looks like a query string; routes match the path only`);
    return pattern;
  });
}

/** Provider ids, exactly as in the config's `providers[].id`. */
export function validateProviderIds(list: readonly string[]): string[] {
  return validateList('providers', list, (id) => {
    if (!PROVIDER_ID.test(id)) throw new KeyValidationError(`provider id "${shown(id)}" must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit`);
    return id;
  });
}

/**
 * CIDRs in canonical form: `10.0.0.0/8`, `2001:db8::/32`; a bare address becomes /32 or /128, and an IPv4-mapped
 * IPv6 range becomes the IPv4 range it stands for. Host bits must be zero, so `10.1.2.3/8` is refused rather than
 * guessed at. Only dotted-quad IPv4 is accepted (not `10.1` or `0x0a000001`), and no zone ids.
 */
export function validateCidrs(list: readonly string[]): string[] {
  return validateList('ips', list, normalizeCidr);
}

function normalizeCidr(text: string): string {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const lengthText = slash === -1 ? undefined : text.slice(slash + 1);
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) address = ipaddr.IPv4.parse(addressText);
  else if (addressText.includes(':') && !addressText.includes('%') && ipaddr.IPv6.isValid(addressText)) address = ipaddr.IPv6.parse(addressText);
  else throw new KeyValidationError(`"${shown(text)}" is not an IP address or CIDR range`);
  const max = address.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (lengthText !== undefined) {
    if (!/^\d{1,3}$/.test(lengthText) || Number(lengthText) > max) throw new KeyValidationError(`"${shown(text)}" needs a prefix length from 0 to ${max}`);
    bits = Number(lengthText);
  }
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && bits >= 96) {
    address = address.toIPv4Address();
    bits -= 96;
  }
  const cidr = `${address.toString()}/${bits}`;
  const network = address instanceof ipaddr.IPv4 ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  if (network.toString() !== address.toString()) throw new KeyValidationError(`"${shown(text)}" has host bits set; did you mean ${network.toString()}/${bits}?`);
  return cidr;
}

/** Upper bounds for per-key numbers: generous, but they catch an extra zero and stay exact as JavaScript numbers. */
export const COUNT_LIMITS = {
  rps: 1_000_000,
  burst: 1_000_000,
  monthlyTokens: Number.MAX_SAFE_INTEGER,
  maxTokens: 100_000_000,
} as const;

/** A positive integer no larger than the field's limit. */
export function validateCount(field: keyof typeof COUNT_LIMITS, value: number): number {
  const max = COUNT_LIMITS[field];
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new KeyValidationError(`${field} must be an integer from 1 to ${max}, got ${String(value)}`);
  return value;
}

/** An expiry must be a real instant in the future; a key born expired is a mistake. */
export function validateExpiry(at: Date, now: Date): Date {
  if (Number.isNaN(at.getTime())) throw new KeyValidationError('expiry is not a valid date');
  if (at.getTime() <= now.getTime()) throw new KeyValidationError(`expiry ${at.toISOString()} is not in the future`);
  return at;
}

/** Trims each entry, refuses empty lists (null means "all"; an empty list would lock the key out), drops duplicates. */
function validateList(what: string, list: readonly string[], check: (item: string) => string): string[] {
  if (list.length === 0) throw new KeyValidationError(`${what} needs at least one entry (clear the setting to allow all)`);
  if (list.length > MAX_SCOPE_ENTRIES) throw new KeyValidationError(`${what} has more than ${MAX_SCOPE_ENTRIES} entries`);
  const out: string[] = [];
  for (const raw of list) {
    const item = check(raw.trim());
    if (!out.includes(item)) out.push(item);
  }
  return out;
}

/** Echoed values are clipped and stripped of control characters so an error line stays one readable line. */
function shown(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}
