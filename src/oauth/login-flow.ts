import type { OAuthProviderSettings } from '../config/oauth-schema.ts';
import type { ProviderConfig, RampartConfig } from '../config/schema.ts';
import type { CredentialMeta, CredentialVault, OAuthProviderName } from '../vault/credential-vault.ts';
import { buildAuthorizeUrl, redirectUriFor } from './authorize-url.ts';
import { type CallbackListener, startCallbackListener } from './callback-listener.ts';
import { checkCallback, parsePastedCallback } from './callback-params.ts';
import { OAuthError } from './oauth-error.ts';
import { createPkce, createState } from './pkce.ts';
import { exchangeCode } from './token-client.ts';

/** Everything one login needs; the CLI and (later) the dashboard fill it from the config. */
export interface LoginOptions {
  oauth: OAuthProviderName;
  settings: OAuthProviderSettings;
  /** The configured provider (`providers[].id`) whose pool the credential joins. */
  providerId: string;
  vault: CredentialVault;
  /** No callback listener: the user pastes the redirect URL (or Claude's `code#state`) through `submit`. */
  headless: boolean;
  callbackTimeoutMs: number;
  httpTimeoutMs: number;
  id?: string | undefined;
  label?: string | undefined;
  now?: () => number;
}

/** A stored login: the credential id and what may be shown about it (never a token). */
export interface LoginResult {
  credentialId: string;
  email?: string;
  expiresAt?: number;
}

/** A login in progress. */
export interface LoginSession {
  /** The authorization URL to open in a browser. */
  url: string;
  redirectUri: string;
  /** The callback listener's port, when one runs (not headless). */
  listenerPort?: number;
  /** Hands over what the user pasted (redirect URL, query string or `code#state`); works in both modes. */
  submit(pasted: string): void;
  /** Settles once the tokens are stored (or the login failed); the listener is closed by then. */
  result: Promise<LoginResult>;
  /** Gives up: the listener closes and `result` rejects. */
  cancel(): void;
}

/** Which provider types each login's tokens can call. */
const TYPES_FOR: Record<OAuthProviderName, readonly ProviderConfig['type'][]> = {
  claude: ['anthropic'],
  codex: ['openai', 'openai-compatible'],
  gemini: ['gemini'],
};

/** Why `providerId` cannot take this login's tokens, or undefined when it can. */
export function loginTargetProblem(providers: readonly ProviderConfig[], oauth: OAuthProviderName, providerId: string): string | undefined {
  const provider = providers.find((p) => p.id === providerId);
  if (provider === undefined) return `no provider "${providerId}" in the config (providers[].id)`;
  const types = TYPES_FOR[oauth];
  if (!types.includes(provider.type)) return `provider "${providerId}" has type ${provider.type}; a ${oauth} login needs type ${types.join(' or ')}`;
  return undefined;
}

/**
 * Starts an authorization-code + PKCE login: builds the URL, starts the 127.0.0.1 callback listener (unless
 * headless), and once a callback or a pasted redirect arrives checks its state, exchanges the code and stores the
 * tokens in the vault as a kind 'oauth' credential. The tokens never leave this function except into the vault.
 */
export async function startOAuthLogin(options: LoginOptions): Promise<LoginSession> {
  const { settings } = options;
  const pkce = createPkce();
  const state = createState();
  let listener: CallbackListener | undefined;
  if (!options.headless) {
    listener = await startCallbackListener({ port: settings.callbackPort, path: settings.callbackPath, expectedState: state, timeoutMs: options.callbackTimeoutMs });
  }
  const redirectUri = redirectUriFor(settings, listener?.port ?? settings.callbackPort);
  const url = buildAuthorizeUrl(settings, { redirectUri, state, challenge: pkce.challenge });

  let settlePaste: { resolve(value: { code: string }): void; reject(error: Error): void } | undefined;
  const pasted = new Promise<{ code: string }>((resolve, reject) => (settlePaste = { resolve, reject }));
  pasted.catch(() => undefined);
  const timer = setTimeout(() => settlePaste?.reject(new OAuthError('callback_timeout', `no redirect URL was pasted within ${Math.round(options.callbackTimeoutMs / 1000)} s`)), options.callbackTimeoutMs);
  timer.unref();

  const codeArrived = listener === undefined ? pasted : Promise.race([listener.result, pasted]);
  const result = (async (): Promise<LoginResult> => {
    try {
      const { code } = await codeArrived;
      return await store(options, await exchangeCode(settings, { code, codeVerifier: pkce.verifier, redirectUri, ...(options.oauth === 'claude' ? { state } : {}) }, { timeoutMs: options.httpTimeoutMs, ...(options.now ? { now: options.now } : {}) }));
    } finally {
      clearTimeout(timer);
      settlePaste?.reject(new OAuthError('cancelled', 'the login has ended'));
      await listener?.close();
    }
  })();
  // Settles while the caller may still be busy elsewhere (e.g. a forged callback before anyone awaits): never unhandled.
  result.catch(() => undefined);
  return {
    url,
    redirectUri,
    ...(listener === undefined ? {} : { listenerPort: listener.port }),
    submit(text) {
      const checked = checkCallback(parsePastedCallback(text), state);
      if (checked instanceof OAuthError) settlePaste?.reject(checked);
      else settlePaste?.resolve(checked);
    },
    result,
    cancel() {
      settlePaste?.reject(new OAuthError('cancelled', 'the login was cancelled'));
    },
  };
}

async function store(options: LoginOptions, exchanged: Awaited<ReturnType<typeof exchangeCode>>): Promise<LoginResult> {
  const { tokens, email } = exchanged;
  const meta: CredentialMeta = { oauth: options.oauth };
  if (email !== undefined) meta.email = email;
  if (tokens.expiresAt !== undefined) meta.expiresAt = new Date(tokens.expiresAt).toISOString();
  const stored = await options.vault.add({
    ...(options.id === undefined ? {} : { id: options.id }),
    providerId: options.providerId,
    label: options.label ?? (email === undefined ? null : `${options.oauth}: ${email}`),
    meta,
    secret: { kind: 'oauth', oauth: options.oauth, tokens },
  });
  return { credentialId: stored.id, ...(email === undefined ? {} : { email }), ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }) };
}

/** What a caller (CLI, dashboard) asks for; the rest comes from the config. */
export interface LoginRequest {
  oauth: OAuthProviderName;
  providerId: string;
  headless?: boolean;
  id?: string | undefined;
  label?: string | undefined;
}

/**
 * Starts a login with the config's `oauth:` settings, after checking the provider can take its tokens (an
 * OAuthError 'invalid_target' otherwise). The dashboard calls this: it shows `url`, and for a browser on another
 * machine (whose callback cannot reach this host's 127.0.0.1) passes the pasted redirect URL to `submit`.
 */
export function startConfiguredLogin(config: Pick<RampartConfig, 'providers' | 'oauth'>, vault: CredentialVault, request: LoginRequest): Promise<LoginSession> {
  const problem = loginTargetProblem(config.providers, request.oauth, request.providerId);
  if (problem !== undefined) return Promise.reject(new OAuthError('invalid_target', problem));
  const { oauth } = config;
  return startOAuthLogin({
    oauth: request.oauth,
    settings: oauth[request.oauth],
    providerId: request.providerId,
    vault,
    headless: request.headless === true,
    callbackTimeoutMs: oauth.callbackTimeoutMs,
    httpTimeoutMs: oauth.httpTimeoutMs,
    id: request.id,
    label: request.label,
  });
}
