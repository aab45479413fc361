import { stdSerializers } from 'pino';

/** What replaces a secret in a log line. */
export const CENSOR = '[redacted]';

/**
 * Field names whose values are secrets wherever they appear, compared case-insensitively with `-` and `_` removed
 * (so `x-api-key`, `X_API_KEY` and `xApiKey` are one name). Headers, OAuth fields, credentials.
 */
export const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
  'apiKey',
  'api_key',
  'key',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code',
  'code_verifier',
  'secret',
] as const;

/** Name endings that make any field a secret (`clientSecret`, `dbPassword`, `vaultKeyPassphrase`, `sessionToken`…). */
const SECRET_SUFFIXES = ['token', 'secret', 'password', 'passphrase', 'apikey', 'privatekey', 'cookie', 'authorization', 'verifier'];

/** Query parameters that carry secrets in URLs (`?key=` for Gemini clients, OAuth redirects). */
const SECRET_QUERY = /([?&;](?:key|api_key|apikey|token|access_token|refresh_token|id_token|code|code_verifier|client_secret|password|secret)=)[^&#;\s"']*/gi;
/** Credentials after an HTTP auth scheme inside free text (an error message quoting a header). */
const AUTH_SCHEME = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
/** `code` is also the name of error codes (`ECONNRESET`, `RAMPART_UPSTREAM_TIMEOUT`): those are kept. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Deeper than this, a value is replaced whole: nothing Rampart logs nests this far. */
const MAX_DEPTH = 12;

const normalize = (name: string): string => name.toLowerCase().replace(/[-_]/g, '');
const EXACT: ReadonlySet<string> = new Set(SECRET_FIELDS.map(normalize));

/** Field name → secret?, remembered: log objects reuse a small set of names. Bounded so odd input cannot grow it. */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 4096;

/** Whether a field of this name holds a secret. */
export function isSecretField(name: string): boolean {
  let verdict = verdicts.get(name);
  if (verdict === undefined) {
    const n = normalize(name);
    verdict = EXACT.has(n) || SECRET_SUFFIXES.some((suffix) => n.endsWith(suffix));
    if (verdicts.size < MAX_VERDICTS) verdicts.set(name, verdict);
  }
  return verdict;
}

/** The censored form of a secret field's value; `code` keeps error-code-shaped values and numbers. */
export function censorField(name: string, value: unknown): unknown {
  if (normalize(name) === 'code' && (typeof value === 'number' || (typeof value === 'string' && ERROR_CODE.test(value)))) return value;
  return value === undefined || value === null ? value : CENSOR;
}

/** A string with secret query parameters and `Bearer …` credentials blanked; the same string when there are none. */
export function scrubString(text: string): string {
  let out = text;
  if (out.includes('=')) out = out.replace(SECRET_QUERY, `$1${CENSOR}`);
  if (out.length > 10 && /bearer|basic/i.test(out)) out = out.replace(AUTH_SCHEME, `$1 ${CENSOR}`);
  return out;
}

/**
 * A copy of `value` with every secret field censored at any depth (objects, arrays, errors and their causes), and
 * secrets inside strings blanked. Copy-on-write: a value with nothing to hide comes back as the same object, so the
 * common log line costs one walk and no allocation. Errors become pino's serialized form (type, message, stack, own
 * fields), then are scrubbed like any object; class instances other than errors pass as they are (serializers handle
 * them).
 */
export function scrub<T>(value: T): T {
  return scrubValue(value, 0, new Map()) as T;
}

/** Objects met so far → their scrubbed form; `[Circular]` while one is being walked (a cycle back to it). */
type Seen = Map<object, unknown>;

function scrubValue(value: unknown, depth: number, seen: Seen): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return seen.get(value);
  seen.set(value, '[Circular]');
  const result = scrubFresh(value, depth, seen);
  seen.set(value, result);
  return result;
}

function scrubFresh(value: object, depth: number, seen: Seen): unknown {
  if (value instanceof Error) return scrubObject(stdSerializers.err(value), depth, seen, true);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const next = scrubValue(item, depth + 1, seen);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return scrubObject(value as Record<string, unknown>, depth, seen, false);
}

function scrubObject(object: Record<string, unknown>, depth: number, seen: Seen, fresh: boolean): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined = fresh ? object : undefined;
  for (const name of Object.keys(object)) {
    const item = object[name];
    const next = isSecretField(name) ? censorField(name, item) : scrubValue(item, depth + 1, seen);
    if (next !== item) {
      copy ??= { ...object };
      copy[name] = next;
    }
  }
  return copy ?? object;
}
