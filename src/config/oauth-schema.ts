import { z } from 'zod';
import { isLoopbackHost } from './loopback.ts';
import { MAX_TIMER_MS } from './schema-helpers.ts';

// `oauth:` — the subscription logins (`rampart login claude|codex|gemini`) and their token refresh. Every endpoint is
// config so tests point them at a local fake server; the defaults are the values the providers' own CLIs use:
//   Claude Code: router-for-me/CLIProxyAPI internal/auth/claude/anthropic_auth.go (authorize, token, client id,
//     redirect http://localhost:54545/callback, `code=true`, JSON token body).
//   Codex CLI: openai/codex codex-rs/login/src/server.rs (issuer auth.openai.com, port 1455, /auth/callback) and
//     router-for-me/CLIProxyAPI internal/auth/codex/openai_auth.go (client id, scopes, extra authorize parameters,
//     form token body).
//   Gemini CLI: google-gemini/gemini-cli packages/core/src/code_assist/oauth2.ts (installed-app client id and its
//     public client secret, scopes, /oauth2callback, access_type=offline); port 8085 and prompt=consent as in
//     router-for-me/CLIProxyAPI's Gemini login.
// Messages never quote values: a client secret may come from ${ENV}.

/** The OAuth logins Rampart knows. */
export const OAUTH_PROVIDERS = ['claude', 'codex', 'gemini'] as const;

/** The only address a callback listener may bind to: the browser on this machine reaches it, nothing else can. */
export const CALLBACK_BIND_HOST = '127.0.0.1';

/** Why an OAuth endpoint URL is unusable: https, or http only to this machine (tests); no credentials or fragment. */
function endpointProblem(value: string): string | undefined {
  if (/\s/.test(value)) return 'must not contain whitespace';
  const url = URL.parse(value);
  if (!url) return 'must be an https URL';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return 'must be an https URL (plain http only to 127.0.0.1 or localhost)';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (url.hash !== '') return 'must not contain a fragment';
  return undefined;
}

const endpointSchema = z.string().superRefine((value, ctx) => {
  const problem = endpointProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const paramName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be 1-64 characters of A-Z, a-z, 0-9, _ . -' });

/** Defaults of one provider's login. */
interface ProviderDefaults {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  extraAuthorizeParams: Record<string, string>;
  tokenRequestFormat: 'json' | 'form';
  redirectHost: 'localhost' | '127.0.0.1';
  callbackPort: number;
  callbackPath: string;
}

const clientSecretBase = z.string().regex(/^[\x21-\x7e]{1,200}$/, { error: 'must be printable ASCII without spaces' });

/** Optional, with the provider's published value as default where it has one (same output type either way). */
function clientSecretSchema(fallback: string | undefined): z.ZodOptional<typeof clientSecretBase> {
  const optional = clientSecretBase.optional();
  return fallback === undefined ? optional : (optional.default(fallback) as unknown as z.ZodOptional<typeof clientSecretBase>);
}

function providerSchema(name: string, d: ProviderDefaults) {
  const schema = z.strictObject({
    authorizeUrl: endpointSchema.default(d.authorizeUrl).describe(`Authorization endpoint the ${name} login opens in the browser.`),
    tokenUrl: endpointSchema.default(d.tokenUrl).describe(`Token endpoint of the ${name} login (authorization_code and refresh_token grants).`),
    clientId: z.string().regex(/^[\x21-\x7e]{1,200}$/, { error: 'must be printable ASCII without spaces' }).default(d.clientId).describe('OAuth client id.'),
    clientSecret: clientSecretSchema(d.clientSecret).describe(
      'Client secret sent with token requests; installed apps publish theirs (it identifies the app and protects nothing).',
    ),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { error: 'must be an RFC 6749 scope token' })).default(d.scopes).describe('Scopes asked for.'),
    extraAuthorizeParams: z.record(paramName, z.string().max(256)).default(d.extraAuthorizeParams).describe('Further query parameters of the authorization URL.'),
    tokenRequestFormat: z.enum(['json', 'form']).default(d.tokenRequestFormat).describe('Body format of token requests: JSON or application/x-www-form-urlencoded.'),
    redirectHost: z
      .enum(['localhost', '127.0.0.1'])
      .default(d.redirectHost)
      .describe('Host name written in redirect_uri (the provider matches it exactly); the listener binds 127.0.0.1 whatever it says.'),
    callbackHost: z
      .string()
      .default(CALLBACK_BIND_HOST)
      .refine((host) => host === CALLBACK_BIND_HOST, {
        error: 'the OAuth callback listener binds only 127.0.0.1: a callback reachable from the network could be fed a stolen or forged code',
      })
      .describe('Address the callback listener binds to; only 127.0.0.1 is accepted.'),
    callbackPort: z.number().int().min(0).max(65535).default(d.callbackPort).describe('Port of the callback listener (the provider expects this one); 0 picks a free port (tests).'),
    callbackPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]{0,127}$/, { error: 'must be a URL path starting with "/"' })
      .default(d.callbackPath)
      .describe('Path of the callback; every other path answers 404.'),
    refreshMarginMs: z
      .number()
      .int()
      .min(0)
      .max(MAX_TIMER_MS)
      .default(300_000)
      .describe('Refresh an access token this long before it expires, in ms.'),
  });
  return schema.default(() => schema.parse({}));
}

const oauthObject = z.strictObject({
  callbackTimeoutMs: z
    .number()
    .int()
    .min(1_000)
    .max(3_600_000)
    .default(300_000)
    .describe('How long a login waits for the browser callback (or a pasted redirect URL) before giving up, in ms.'),
  httpTimeoutMs: z.number().int().min(100).max(300_000).default(30_000).describe('Deadline of each token request (exchange or refresh), in ms.'),
  claude: providerSchema('Claude', {
    authorizeUrl: 'https://claude.ai/oauth/authorize',
    tokenUrl: 'https://api.anthropic.com/v1/oauth/token',
    clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    scopes: ['org:create_api_key', 'user:profile', 'user:inference'],
    extraAuthorizeParams: { code: 'true' },
    tokenRequestFormat: 'json',
    redirectHost: 'localhost',
    callbackPort: 54545,
    callbackPath: '/callback',
  }).describe('Claude (Claude Code subscription) login.'),
  codex: providerSchema('Codex', {
    authorizeUrl: 'https://auth.openai.com/oauth/authorize',
    tokenUrl: 'https://auth.openai.com/oauth/token',
    clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    extraAuthorizeParams: { prompt: 'login', id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true' },
    tokenRequestFormat: 'form',
    redirectHost: 'localhost',
    callbackPort: 1455,
    callbackPath: '/auth/callback',
  }).describe('Codex (ChatGPT subscription) login.'),
  gemini: providerSchema('Gemini', {
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    clientId: '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com',
    clientSecret: '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',
    scopes: [
      'https://www.googleapis.com/auth/cloud-platform',
      'https://www.googleapis.com/auth/userinfo.email',
      'https://www.googleapis.com/auth/userinfo.profile',
    ],
    extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
    tokenRequestFormat: 'form',
    redirectHost: 'localhost',
    callbackPort: 8085,
    callbackPath: '/oauth2callback',
  }).describe('Gemini (Gemini CLI / Google account) login.'),
});

/** `oauth:` — provider logins (endpoints, client ids, loopback callbacks) and token refresh. */
export const oauthSchema = oauthObject.default(() => oauthObject.parse({}));

/** The parsed `oauth:` section. */
export type OAuthConfig = z.output<typeof oauthObject>;

/** One provider's login settings, defaults applied. */
export type OAuthProviderSettings = OAuthConfig['claude'];
