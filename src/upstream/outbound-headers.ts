import type { IncomingHttpHeaders } from 'node:http';

// Outbound headers are built, never forwarded: the adapter's own headers, plus the few client headers the config
// names. Some names can never come from a client, whatever the config says: its credentials and cookies belong to
// Rampart's side of the conversation, and framing/hop-by-hop headers describe the client's connection, not ours.

/** Hop-by-hop headers (RFC 9110 §7.6.1, RFC 9113 §8.2.2 for http2-settings): meaningful for one connection only. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'];

/**
 * Names a client header may never be copied under: credentials (Rampart's client key must not reach the
 * upstream), cookies, proxy headers, and what undici computes itself (host, length; `expect` it refuses outright).
 */
const NEVER_FROM_CLIENT = new Set([
  ...HOP_BY_HOP,
  'authorization',
  'cookie',
  'cookie2',
  'x-api-key',
  'x-goog-api-key',
  'host',
  'content-length',
  'expect',
]);

/**
 * Comma-separated flag lists where the adapter's flags join the client's instead of replacing them: an OAuth
 * credential needs its `anthropic-beta` flag, and the client's own beta features must survive it.
 */
const MERGED_LISTS = new Set(['anthropic-beta']);

/** RFC 9110 §5.1 field name (token); anything else cannot be a header name we would send. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** A value that could split or smuggle a header: CR, LF or NUL (RFC 9110 §5.5). */
const UNSAFE_VALUE = /[\r\n\0]/;

/** Why `name` cannot be a pass-through header (for config-time validation), or undefined when it can. */
export function passThroughNameProblem(name: string): string | undefined {
  if (name !== name.toLowerCase() || !TOKEN.test(name)) return 'must be a lower-case HTTP header name';
  if (NEVER_FROM_CLIENT.has(name) || name.startsWith('proxy-')) return 'is a credential, cookie, proxy, framing or hop-by-hop header and is never forwarded';
  return undefined;
}

/**
 * The headers of an outbound call: `adapterHeaders` always, plus each client header whose name is in
 * `passThrough` and that is not credential, cookie, proxy, framing or hop-by-hop — including any name the client
 * listed in its own `Connection` header. Names are lower-case in the result; a value with CR/LF/NUL is dropped.
 */
export function outboundHeaders(
  adapterHeaders: Readonly<Record<string, string>>,
  clientHeaders: IncomingHttpHeaders,
  passThrough: readonly string[],
): Record<string, string> {
  // A Map, then fromEntries: a name like "__proto__" stays a plain key instead of touching the object's prototype.
  const result = new Map<string, string>();
  const connectionNamed = new Set(
    headerText(clientHeaders.connection)
      ?.split(',')
      .map((name) => name.trim().toLowerCase()) ?? [],
  );
  for (const raw of passThrough) {
    const name = raw.toLowerCase();
    if (passThroughNameProblem(name) !== undefined || connectionNamed.has(name)) continue;
    // Own properties only: a configured name such as "constructor" must not read the object's prototype.
    const value = Object.hasOwn(clientHeaders, name) ? headerText(clientHeaders[name]) : undefined;
    if (value === undefined || UNSAFE_VALUE.test(value)) continue;
    result.set(name, value);
  }
  // Last, so an adapter header replaces a client one of the same name in any letter case.
  for (const [raw, value] of Object.entries(adapterHeaders)) {
    const name = raw.toLowerCase();
    const client = result.get(name);
    result.set(name, client !== undefined && MERGED_LISTS.has(name) ? mergeLists(client, value) : value);
  }
  return Object.fromEntries(result);
}

/** The union of two comma-separated lists, each item once, in first-seen order. */
function mergeLists(first: string, second: string): string {
  const items = new Set([...first.split(','), ...second.split(',')].map((item) => item.trim()).filter((item) => item !== ''));
  return [...items].join(',');
}

/** A header as one string: repeated fields joined by ", " (RFC 9110 §5.3); undefined when absent. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) return value.join(', ');
  return undefined;
}
