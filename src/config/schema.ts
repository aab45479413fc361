import { z } from 'zod';
import { isLoopbackHost } from './loopback.ts';

// The one source of truth for Rampart's configuration: types, defaults, docs/config.md and rampart.schema.json all
// derive from this file. Every object is strict, because a typo in a security product's config must fail loudly
// instead of silently leaving a protection at its default.
//
// Error messages written here must never quote the offending value: it may have come from an environment variable
// holding a secret.

// Node's timers overflow above 2^31-1 ms and then fire after 1 ms, which would turn a long timeout into none.
const MAX_TIMER_MS = 2_147_483_647;

const hostSchema = z
  .string()
  .min(1, { error: 'must not be empty', abort: true })
  .regex(/^\S+$/, { error: 'must not contain whitespace' });

const portSchema = z.number().int().min(0).max(65535);

function listenerSchema(name: string, port: number) {
  const schema = z.strictObject({
    host: hostSchema
      .default('127.0.0.1')
      .describe(
        `Address the ${name} listener binds to. Anything but 127.0.0.0/8, ::1 or localhost is refused unless server.allowInsecureBind is true.`,
      ),
    port: portSchema.default(port).describe(`TCP port of the ${name} listener; 0 picks a free port.`),
  });
  return schema.default(() => schema.parse({}));
}

const listenerNames = ['proxy', 'dashboard', 'metrics'] as const;

const serverObject = z.strictObject({
  proxy: listenerSchema('proxy', 8317).describe('Client-facing API listener (/v1/*, /v1beta/*, /healthz).'),
  dashboard: listenerSchema('dashboard', 3000).describe('Web dashboard, its /api/* and the /v0/management/* API.'),
  metrics: listenerSchema('metrics', 9090).describe('Prometheus /metrics listener.'),
  allowInsecureBind: z
    .boolean()
    .default(false)
    .describe(
      'Allow binding a listener to a non-loopback address without TLS or a trusted proxy in front. Logs a warning at boot.',
    ),
});

/** Refuses public binds without the opt-in, and two listeners on the same address. */
function checkListeners(server: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(server)) return;
  const seen = new Map<string, string>();
  for (const name of listenerNames) {
    const listener = server[name];
    if (!isRecord(listener) || typeof listener.host !== 'string') continue;
    if (server.allowInsecureBind !== true && !isLoopbackHost(listener.host)) {
      ctx.addIssue({
        code: 'custom',
        path: [name, 'host'],
        message:
          'binding to a non-loopback address is refused: serving it safely needs TLS or a trusted proxy in front; ' +
          'set server.allowInsecureBind: true to bind anyway',
      });
    }
    if (typeof listener.port !== 'number' || listener.port === 0) continue;
    const address = `${listener.host.toLowerCase()}:${listener.port}`;
    const other = seen.get(address);
    if (other !== undefined) {
      ctx.addIssue({ code: 'custom', path: [name, 'port'], message: `same host and port as server.${other}` });
    } else {
      seen.set(address, name);
    }
  }
}

const serverSchema = serverObject.superRefine(checkListeners, { when: () => true });

const loggingObject = z.strictObject({
  level: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Minimum level written to the process log.'),
  accessLog: z.boolean().default(true).describe('Write one log line per proxied request.'),
});

const limitsObject = z.strictObject({
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(104_857_600)
    .default(4_194_304)
    .describe('Largest request body the proxy accepts, in bytes; bigger bodies get 413.'),
});

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

const modelsSchema = z
  .array(z.string().regex(/^\S+$/, { error: 'must be a non-empty model name without whitespace' }))
  .min(1)
  .superRefine(
    (models: unknown, ctx) => {
      if (!Array.isArray(models)) return;
      for (const [index, at] of duplicates(models)) {
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
      .min(1)
      .describe('Upstream credentials, used in turn. At least one.'),
    models: modelsSchema.describe('Model names this provider serves; at least one, no duplicates.'),
    timeouts: timeoutsObject.default(() => timeoutsObject.parse({})).describe('Upstream timeouts.'),
  })
  .superRefine((provider, ctx) => {
    if (provider.type === 'openai-compatible' && provider.baseUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'is required for type openai-compatible' });
    }
  });

const providersSchema = z.array(providerObject).superRefine(
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

/** The whole Rampart configuration (rampart.yaml). Parse with `loadConfig`/`parseConfig`, not directly. */
export const configSchema = z.strictObject({
  server: serverSchema.default(() => serverObject.parse({})).describe('Network listeners.'),
  dataDir: z
    .string()
    .min(1)
    .default('./data')
    .describe("Folder of the SQLite database, audit log and vault; relative paths start at the config file's folder."),
  logging: loggingObject.default(() => loggingObject.parse({})).describe('Process logging.'),
  limits: limitsObject.default(() => limitsObject.parse({})).describe('Request limits of the proxy listener.'),
  providers: providersSchema.default([]).describe('Upstream LLM APIs that Rampart forwards to.'),
});

/** The parsed configuration, defaults applied. */
export type RampartConfig = z.output<typeof configSchema>;

/** One entry of `providers`. */
export type ProviderConfig = RampartConfig['providers'][number];

/** The API root a provider calls: its `baseUrl`, or its type's official root (openai-compatible always has one). */
export function providerBaseUrl(provider: ProviderConfig): string {
  if (provider.baseUrl !== undefined) return provider.baseUrl;
  if (provider.type === 'openai-compatible') throw new Error(`provider ${provider.id} has no baseUrl`);
  return DEFAULT_BASE_URLS[provider.type];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
