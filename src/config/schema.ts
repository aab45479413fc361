import { z } from 'zod';
import { isLoopbackHost } from './loopback.ts';
import { DEFAULT_BASE_URLS as DEFAULT_BASE_URLS_BY_TYPE, providersSchema } from './provider-schema.ts';
import { routingSchema } from './routing-schema.ts';
import { securitySchema } from './security-schema.ts';
import { rateLimitsSchema } from './limits-schema.ts';
import { validationSchema } from './validation-schema.ts';
import { wafSchema } from './waf-schema.ts';
import { vaultSchema } from './vault-schema.ts';
import { alertsSchema } from './alerts-schema.ts';
import { oauthSchema } from './oauth-schema.ts';
import { tlsSchema } from './tls-schema.ts';
import { auditSchema } from './audit-schema.ts';
import { isRecord } from './schema-helpers.ts';

// The one source of truth for Rampart's configuration: types, defaults, docs/config.md and rampart.schema.json all
// derive from this file. Every object is strict, because a typo in a security product's config must fail loudly
// instead of silently leaving a protection at its default.
//
// Error messages written here must never quote the offending value: it may have come from an environment variable
// holding a secret.

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
    tls: tlsSchema.describe(`HTTPS on the ${name} listener (certificate, key, minimum version, ciphers); plain HTTP when absent.`),
  });
  return schema.default(() => schema.parse({}));
}

/** A listener Rampart can run without (dashboard, metrics): `enabled: false` leaves it off. */
function switchableListenerSchema(name: string, port: number) {
  const schema = listenerSchema(name, port)
    .unwrap()
    .extend({ enabled: z.boolean().default(true).describe(`Start the ${name} listener; false leaves it off.`) });
  return schema.default(() => schema.parse({}));
}

const listenerNames = ['proxy', 'dashboard', 'metrics'] as const;

const serverObject = z.strictObject({
  proxy: listenerSchema('proxy', 8317).describe('Client-facing API listener (/v1/*, /v1beta/*, /healthz).'),
  dashboard: switchableListenerSchema('dashboard', 3000).describe('Web dashboard, its /api/* and the /v0/management/* API.'),
  metrics: switchableListenerSchema('metrics', 9090).describe('Prometheus /metrics listener.'),
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
    if (!isRecord(listener) || typeof listener.host !== 'string' || listener.enabled === false) continue;
    // TLS is the safe way to serve a public address; only a plain-HTTP public bind needs the opt-in.
    if (server.allowInsecureBind !== true && listener.tls === undefined && !isLoopbackHost(listener.host)) {
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
  headersTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(300_000)
    .default(10_000)
    .describe('Longest time a client may take to send the request headers (slowloris defence), in ms.'),
  requestTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(60_000)
    .describe('Longest time a client may take to send the whole request, body included, in ms.'),
  keepAliveTimeoutMs: z.number().int().min(1000).max(600_000).default(65_000).describe('How long an idle keep-alive connection stays open, in ms.'),
  idleSocketTimeoutMs: z
    .number()
    .int()
    .min(10_000)
    .max(3_600_000)
    .default(300_000)
    .describe('A connection with no traffic either way for this long is closed, in ms (streams write, so stay open).'),
  maxConnections: z.number().int().min(1).max(1_000_000).default(4096).describe('Most client connections the proxy listener holds at once.'),
  maxConcurrentPerKey: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(64)
    .describe('Most requests one client key may have in flight at once; more get 429.'),
});

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
  routing: routingSchema.describe('How a model name becomes a provider and a credential: retries, fallbacks, cooldowns.'),
  security: securitySchema.describe('Trusted proxies, IP allow/deny lists, response headers, CORS and maintenance mode.'),
  rateLimits: rateLimitsSchema.describe('Request rate limits: global, per client IP and per client key (keys may carry their own).'),
  validation: validationSchema.describe('Body depth and string caps, and max_tokens ceilings.'),
  waf: wafSchema.describe('Request inspection rules: built-in secret detection and operator rules (off | detect | block).'),
  vault: vaultSchema.describe('The encrypted credential vault: where its key lives (RAMPART_VAULT_KEY wins over the key file).'),
  alerts: alertsSchema.describe('Alert rules over audit events: block an address after repeated failures, or record an alert.'),
  audit: auditSchema.describe('Tamper-evident audit log: location, group commit, signed checkpoints and the policy while it cannot be written.'),
  oauth: oauthSchema.describe('Subscription logins (Claude, Codex, Gemini): endpoints, client ids, loopback callbacks, token refresh.'),
});

/** The parsed configuration, defaults applied. */
export type RampartConfig = z.output<typeof configSchema>;

/** One entry of `providers`. */
export type ProviderConfig = RampartConfig['providers'][number];

export { DEFAULT_BASE_URLS } from './provider-schema.ts';

/** The API root a provider calls: its `baseUrl`, or its type's official root (openai-compatible always has one). */
export function providerBaseUrl(provider: ProviderConfig): string {
  if (provider.baseUrl !== undefined) return provider.baseUrl;
  if (provider.type === 'openai-compatible') throw new Error(`provider ${provider.id} has no baseUrl`);
  return DEFAULT_BASE_URLS_BY_TYPE[provider.type];
}
