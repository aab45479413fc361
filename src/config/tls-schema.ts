import { DEFAULT_CIPHERS, createSecureContext } from 'node:tls';
import { z } from 'zod';

// `server.<listener>.tls:` — HTTPS on a listener. The cipher rules live here (config is a leaf) so that the schema
// and the loader in src/server/tls.ts build exactly the same OpenSSL string: a list the schema accepted cannot mean
// something else at run time. File paths are resolved by the loader against the config file's folder.
//
// As everywhere in the config, messages never quote the value: it may have come from an environment variable.

/**
 * TLS 1.2 suites used when `ciphers` is unset: ECDHE only (forward secrecy) and AEAD only (GCM, ChaCha20-Poly1305),
 * the TLS 1.2 part of Mozilla's "intermediate" profile minus DHE (finite-field DHE needs large custom groups to
 * be safe, and every client that has DHE also has ECDHE).
 */
export const DEFAULT_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Node's TLS 1.3 suites (all AEAD with forward secrecy by construction, RFC 8446 §9.1). */
export const DEFAULT_TLS13_SUITES = DEFAULT_CIPHERS.split(':')
  .filter((name) => name.startsWith('TLS_'))
  .join(':');

/**
 * Appended to every operator list. `!` removes a class for good, so an aggregate such as ALL or DEFAULT can never
 * bring back what the validation below refuses by name (ALL includes anonymous suites, for one).
 */
export const FORCED_EXCLUSIONS = '!aNULL:!eNULL:!EXPORT:!LOW:!RC4:!DES:!3DES:!MD5:!PSK:!SRP';

// OpenSSL separates list items with colon, space, semicolon or comma (ssl_ciph.c, ITEM_SEP). Node, however, splits
// on ':' alone to tell TLS 1.3 names from the rest, so lists are rewritten with colons before they reach Node.
const SEPARATORS = /[:;, ]+/;

/** Name parts that enable a refused class, with the reason shown to the operator. */
const REFUSED_PARTS: readonly (readonly [RegExp, string])[] = [
  [/^(?:aNULL|ADH|AECDH|COMPLEMENTOFDEFAULT)$/i, 'anonymous key exchange (no server authentication)'],
  [/^(?:eNULL|NULL|COMPLEMENTOFALL)$/i, 'no encryption (NULL cipher)'],
  [/^EXP(?:ORT)?\d*$/i, 'export-grade cryptography'],
  [/^RC4$/i, 'RC4 (prohibited by RFC 7465)'],
  [/^(?:3DES|DES)$/i, 'DES/3DES (64-bit blocks, Sweet32)'],
  [/^MD5$/i, 'MD5'],
  [/^LOW$/i, 'low-strength (56/64-bit) ciphers'],
];

/** Why one positive item (`ECDHE+AESGCM`, `DES-CBC3-SHA`, `TLS_SHA256_SHA256`) is refused, or undefined. */
function refusedItem(item: string): string | undefined {
  // RFC 9150 integrity-only TLS 1.3 suites authenticate but do not encrypt.
  if (/^TLS_SHA\d+_SHA\d+$/i.test(item)) return 'no encryption (integrity-only TLS 1.3 suite)';
  for (const element of item.split('+')) {
    for (const part of element.split(/[-_]/)) {
      for (const [pattern, reason] of REFUSED_PARTS) if (pattern.test(part)) return reason;
    }
  }
  return undefined;
}

/** The items of an OpenSSL cipher list, separators normalised. */
function cipherItems(list: string): string[] {
  return list.split(SEPARATORS).filter((item) => item !== '');
}

/** Why `list` may not be used, by name (before OpenSSL sees it), or undefined. */
export function cipherListProblem(list: string): string | undefined {
  const items = cipherItems(list);
  if (items.length === 0) return 'must name at least one cipher suite';
  for (const item of items) {
    const level = /^@SECLEVEL=(.*)$/i.exec(item);
    if (level !== null) {
      if (!/^[2-5]$/.test(level[1] ?? '')) return '@SECLEVEL must be 2 to 5: levels 0 and 1 re-enable weak keys and algorithms';
      continue;
    }
    if (!isPositive(item)) continue;
    const reason = refusedItem(item);
    if (reason !== undefined) return `enables ${reason}, which Rampart refuses`;
  }
  if (!items.some(isPositive)) return 'enables no cipher suite: items starting with !, - or + only remove or reorder';
  return undefined;
}

/** An item that enables suites: not `!x` (delete), `-x` (remove), `+x` (reorder) or an `@` command. */
function isPositive(item: string): boolean {
  return !/^[!+@-]/.test(item);
}

/** Whether the list enables TLS 1.2 suites, i.e. has positive items other than TLS 1.3 suite names. */
function hasTls12Items(items: readonly string[]): boolean {
  return items.some((item) => isPositive(item) && !item.startsWith('TLS_'));
}

/**
 * The OpenSSL string actually used for `ciphers` (Node's option, holding both TLS 1.2 and 1.3 names): the default
 * when unset; otherwise the operator's items, Node's TLS 1.3 suites when none are listed (so naming TLS 1.2 suites
 * does not silently change TLS 1.3), and FORCED_EXCLUSIONS.
 */
export function effectiveCiphers(list: string | undefined): string {
  if (list === undefined) return `${DEFAULT_TLS13_SUITES}:${DEFAULT_TLS12_CIPHERS}`;
  const items = cipherItems(list);
  const out = items.some((item) => item.startsWith('TLS_')) ? [...items] : [DEFAULT_TLS13_SUITES, ...items];
  // Without TLS 1.2 items the 1.2 list must stay empty: exclusions alone would be "no cipher match".
  if (hasTls12Items(items)) out.push(FORCED_EXCLUSIONS);
  return out.join(':');
}

/** Why OpenSSL refuses the effective list, or undefined. Builds a throwaway context: no key, no network. */
function opensslProblem(list: string, minVersion: TlsMinVersion): string | undefined {
  try {
    createSecureContext({ ciphers: effectiveCiphers(list), minVersion });
    return undefined;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_SSL_NO_CIPHER_MATCH') {
      return "matches no cipher suite of this Node's OpenSSL (weak classes are always removed; see `openssl ciphers -v`)";
    }
    // OpenSSL's reason strings ("invalid command") carry no input; Node's ERR_INVALID_ARG_VALUE would, so no text.
    return `is not a valid OpenSSL cipher list${typeof code === 'string' ? ` (${code})` : ''}`;
  }
}

const minVersionSchema = z.enum(['TLSv1.2', 'TLSv1.3']);
type TlsMinVersion = z.output<typeof minVersionSchema>;

const pathSchema = z
  .string()
  .min(1, { error: 'must not be empty', abort: true })
  .refine((value) => !value.includes('\0'), { error: 'must not contain a NUL character' });

const tlsObject = z
  .strictObject({
    certFile: pathSchema.describe(
      "PEM certificate file (leaf first, then intermediates); relative paths start at the config file's folder.",
    ),
    keyFile: pathSchema.describe("PEM private key of the certificate, unencrypted (protect it with file permissions: 0600)."),
    caFile: pathSchema
      .optional()
      .describe('PEM CA bundle used to complete the chain sent to clients when certFile holds only the leaf.'),
    minVersion: minVersionSchema
      .default('TLSv1.2')
      .describe('Oldest TLS version accepted. TLS 1.0 and 1.1 are never offered (RFC 8996).'),
    ciphers: z
      .string()
      .max(4096)
      .optional()
      .describe(
        'OpenSSL cipher list (TLS 1.2 names and/or TLS_* 1.3 suites). Unset: ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2 and ' +
          "Node's TLS 1.3 suites. Lists enabling aNULL, eNULL/NULL, EXPORT, LOW, RC4, DES/3DES or MD5, or @SECLEVEL below 2, are refused.",
      ),
    reloadOnChange: z
      .boolean()
      .default(true)
      .describe('Reload the certificate and key when the files change (SIGHUP always reloads); a bad new pair keeps the old one.'),
  })
  .superRefine((tls, ctx) => {
    if (tls.ciphers === undefined) return;
    const problem = cipherListProblem(tls.ciphers);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ciphers'], message: problem });
      return;
    }
    if (tls.minVersion === 'TLSv1.2' && !hasTls12Items(cipherItems(tls.ciphers))) {
      ctx.addIssue({
        code: 'custom',
        path: ['ciphers'],
        message: 'lists only TLS 1.3 suites, so TLS 1.2 clients could not connect: set minVersion: TLSv1.3 or add TLS 1.2 suites',
      });
      return;
    }
    const openssl = opensslProblem(tls.ciphers, tls.minVersion);
    if (openssl !== undefined) ctx.addIssue({ code: 'custom', path: ['ciphers'], message: openssl });
  });

/** HTTPS settings of one listener; absent means plain HTTP. */
export const tlsSchema = tlsObject.optional();

/** A listener's parsed TLS settings, defaults applied (undefined when the listener is plain HTTP). */
export type TlsConfig = z.output<typeof tlsObject>;
