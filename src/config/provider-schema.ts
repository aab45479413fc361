import { z } from 'zod';
import { PRIVATE_ADDRESS_PROBLEM, upstreamUrlProblem } from '../lib/url-policy.ts';
import { providerLimitsSchema } from './limits-schema.ts';
import { isRecord, MAX_TIMER_MS } from './schema-helpers.ts';

// Provider entries of the config (`providers:`). Messages never quote values: they may be secrets from the environment.

const timeoutMs = z.number().int().positive().max(MAX_TIMER_MS);

const timeoutsObject = z.strictObject({
  connectMs: timeoutMs.default(10_000).describe('Longest wait for the TCP/TLS connection to the upstream, in ms.'),
  headersMs: timeoutMs.default(60_000).describe('Longest wait for the upstream response headers, in ms.'),
  idleMs: timeoutMs
    .default(120_000)
    .describe('Longest silence allowed between two upstream body chunks (streams included), in ms.'),
});

/** Why a base URL is unusable, or undefined when it is fine. Never echoes the URL: it may embed a secret. */
function baseUrlProblem(value: string): string | undefined {
  if (/\s/.test(value)) return 'must not contain whitespace';
  const url = URL.parse(value);
  if (!url) return 'must be an http(s) URL';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http(s) URL, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials (put them under credentials[].apiKey)';
  }
  if (value.includes('?') || value.includes('#')) return 'must not contain a query string or fragment';
  return undefined;
}

/** Canonical form of a valid base URL without the trailing slash, so adapters can append `/chat/completions`. */
function normaliseBaseUrl(value: string): string {
  const url = URL.parse(value);
  if (!url || baseUrlProblem(value) !== undefined) return value;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

const baseUrlSchema = z
  .string()
  .superRefine((value, ctx) => {
    const problem = baseUrlProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .overwrite(normaliseBaseUrl);

const credentialObject = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.#-]{0,62}$/, { error: 'must be 1-63 characters of A-Z, a-z, 0-9, _ . # -' })
    .optional()
    .describe(
      'Stable name of this credential in logs, metrics and persisted cooldowns. Defaults to `<provider id>#<index>`; set it when you reorder credentials so cooldowns follow the key.',
    ),
  weight: z.number().int().min(1).max(1000).default(1).describe('Share of traffic under the weighted policy (1-1000).'),
  apiKey: z
    .string()
    .min(1, { error: 'must not be empty', abort: true })
    // Sent in an HTTP header: a stray newline from `$(cat keyfile)` would otherwise surface as an opaque 401.
    .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces or line breaks' })
    .describe('Upstream API key. Write ${VAR} to read it from the environment instead of storing it in the file.'),
});

/** Each repeated string as [index, index of its first occurrence]; non-strings are left to the type checks. */
function duplicates(values: readonly unknown[]): [number, number][] {
  const first = new Map<string, number>();
  const found: [number, number][] = [];
  values.forEach((value, index) => {
    if (typeof value !== 'string') return;
    const at = first.get(value);
    if (at === undefined) first.set(value, index);
    else found.push([index, at]);
  });
  return found;
}

const modelName = z.string().regex(/^[^\s()]+$/, { error: 'must be a non-empty model name without whitespace or parentheses' });

const aliasEntry = z.strictObject({
  name: modelName.describe('The name clients use.'),
  upstream: modelName.describe('The model name sent to the provider.'),
});

// A string is checked as a name, a mapping as an alias; anything else gets one message naming both forms.
const modelEntry = z.union([modelName, aliasEntry], { error: 'must be a model name or a mapping { name, upstream }' });

const modelsSchema = z
  .array(modelEntry)
  .min(1)
  .superRefine(
    (models: unknown, ctx) => {
      if (!Array.isArray(models)) return;
      const names = models.map((m: unknown) => (typeof m === 'string' ? m : isRecord(m) ? m.name : undefined));
      for (const [index, at] of duplicates(names)) {
        ctx.addIssue({ code: 'custom', path: [index], message: `duplicate model, already at index ${at}` });
      }
    },
    { when: () => true },
  );

/** Each provider type's official API root, used when `baseUrl` is left out. Same convention as each vendor's SDK. */
export const DEFAULT_BASE_URLS = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
} as const;

const providerObject = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, {
        error: 'must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit',
      })
      .describe('Unique name of this provider; appears in logs, metrics and the audit log.'),
    type: z
      .enum(['openai', 'anthropic', 'gemini', 'openai-compatible'])
      .describe(
        'Wire protocol of the upstream: openai (Chat Completions), anthropic (Messages), gemini (Generative Language API), or openai-compatible (any server speaking Chat Completions).',
      ),
    baseUrl: baseUrlSchema
      .optional()
      .describe(
        'Upstream API root as the vendor SDK takes it: openai/openai-compatible include the version (https://api.openai.com/v1); anthropic and gemini do not (https://api.anthropic.com, https://generativelanguage.googleapis.com). Defaults to the official root for openai, anthropic and gemini; required for openai-compatible. http or https only; no credentials, query or fragment; a trailing slash is removed.',
      ),
    credentials: z
      .array(credentialObject)
      .default([])
      .describe(
        'The credential pool: upstream keys, picked per request by `policy`. May be empty when the vault supplies them (`rampart credentials add`, OAuth logins); a provider with no credential anywhere is a boot warning and its requests fail with RAMPART_NO_CREDENTIAL.',
      ),
    policy: z
      .enum(['round-robin', 'fill-first', 'weighted'])
      .default('round-robin')
      .describe(
        'How a credential is picked: round-robin spreads requests evenly, fill-first uses the first usable credential until it cools down, weighted spreads by credentials[].weight.',
      ),
    allowPrivateNetwork: z
      .boolean()
      .default(false)
      .describe(
        'Allow this provider to reach loopback, private, link-local and other internal addresses. Off by default so a base URL (or a DNS answer) cannot point Rampart at internal services; turn on only for self-hosted models on your network.',
      ),
    models: modelsSchema.describe(
      'Models this provider serves: a name, or { name, upstream } to expose an alias (clients say `name`, the provider is asked for `upstream`). At least one, no duplicate names.',
    ),
    timeouts: timeoutsObject.default(() => timeoutsObject.parse({})).describe('Upstream timeouts.'),
    ...providerLimitsSchema.shape,
  })
  .superRefine((provider, ctx) => {
    if (provider.type === 'openai-compatible' && provider.baseUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'is required for type openai-compatible' });
    }
    const url = provider.baseUrl ?? (provider.type === 'openai-compatible' ? undefined : DEFAULT_BASE_URLS[provider.type]);
    const unsafe = url === undefined ? undefined : upstreamUrlProblem(url, provider.allowPrivateNetwork);
    // Scheme and credentials are baseUrlSchema's to report; only the address check is added here.
    if (unsafe === PRIVATE_ADDRESS_PROBLEM) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: unsafe });
    const ids = provider.credentials.map((c, i) => c.id ?? `${provider.id}#${i}`);
    for (const [index, at] of duplicates(ids)) {
      ctx.addIssue({ code: 'custom', path: ['credentials', index, 'id'], message: `duplicate credential id, already used by credentials[${at}]` });
    }
  });

/** `providers:` — unique ids, each a wire type, a base URL, a credential pool and the models it serves. */
export const providersSchema = z.array(providerObject).superRefine(
  (providers: unknown, ctx) => {
    if (!Array.isArray(providers)) return;
    const ids = providers.map((p: unknown) => (isRecord(p) ? p.id : undefined));
    for (const [index, at] of duplicates(ids)) {
      const message = `duplicate provider id, already used by providers[${at}]`;
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message });
    }
  },
  { when: () => true },
);

