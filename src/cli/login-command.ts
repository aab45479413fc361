import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { OAUTH_PROVIDERS } from '../config/oauth-schema.ts';
import { loginTargetProblem, startConfiguredLogin } from '../oauth/login-flow.ts';
import { OAuthError } from '../oauth/oauth-error.ts';
import type { CredentialVault, OAuthProviderName } from '../vault/credential-vault.ts';
import { hasDisplay, openBrowser } from './open-browser.ts';
import { CliError, type CliOutput } from './output.ts';
import { AuditUnavailableError } from '../audit/audit-log.ts';

/** Opens the vault of a loaded config for one command; `close` releases it. */
export type VaultOpener = (loaded: LoadedConfig, flags: { allowInsecurePermissions?: boolean }) => Promise<{ vault: CredentialVault; close(): Promise<void> }>;

/** What the login command needs from outside: the vault, and (tests) where pasted input comes from. */
export interface LoginCommandDeps {
  openVault: VaultOpener;
  /** The first line of standard input, or undefined at end of input. */
  readLine?: () => Promise<string | undefined>;
  /** Whether a browser may be opened (a display exists); tests pin it. */
  canOpenBrowser?: () => boolean;
}

interface LoginFlags {
  provider?: string;
  headless?: boolean;
  id?: string;
  label?: string;
  browser?: boolean;
  config?: string;
  allowInsecurePermissions?: boolean;
}

/** Reads one line from standard input without echoing anything back. */
function readStdinLine(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line);
    });
    lines.once('close', () => {
      if (!answered) resolve(undefined);
    });
  });
}

/** `rampart login claude|codex|gemini`: an OAuth login whose tokens go into the vault as a credential of a provider. */
export function registerLoginCommand(program: Command, output: CliOutput, deps: LoginCommandDeps): void {
  program
    .command('login')
    .description('log in to a subscription (Claude, Codex, Gemini) with OAuth; the tokens are stored encrypted in the vault as a credential of --provider')
    .argument('<oauth>', `which login: ${OAUTH_PROVIDERS.join(', ')}`)
    .requiredOption('-p, --provider <id>', 'the configured provider (providers[].id) whose pool the credential joins')
    .option('--headless', 'no callback listener: print the URL and read the redirect URL (or Claude\'s code#state) pasted on standard input')
    .option('--id <id>', 'credential id (default: generated)')
    .option('--label <label>', 'a label shown in listings (default: the account email, when the provider tells it)')
    .option('--no-browser', 'do not try to open a browser; just print the URL')
    .option('-c, --config <file>', 'config file (default: ./rampart.yaml)')
    .action(async (oauth: string, flags: LoginFlags) => {
      if (!(OAUTH_PROVIDERS as readonly string[]).includes(oauth)) throw new CliError(`unknown login "${oauth}": use one of ${OAUTH_PROVIDERS.join(', ')}`);
      const name = oauth as OAuthProviderName;
      const providerId = flags.provider ?? '';
      const loaded = await loadConfig({ path: flags.config });
      const problem = loginTargetProblem(loaded.config.providers, name, providerId);
      if (problem !== undefined) throw new CliError(problem);
      const opened = await deps.openVault(loaded, flags);
      const { vault } = opened;
      try {
        const { oauth: settings } = loaded.config;
        const session = await startConfiguredLogin(loaded.config, vault, { oauth: name, providerId, headless: flags.headless === true, id: flags.id, label: flags.label });
        output.err(`Open this URL in a browser to log in to ${name}:\n\n${session.url}\n`);
        if (flags.headless === true) {
          output.err('After you consent, your browser is sent to a localhost address that may not load. Copy that whole address');
          output.err(`from the address bar${name === 'claude' ? " (or the code#state string Claude shows)" : ''} and paste it here, then press Enter:`);
          const line = await (deps.readLine ?? readStdinLine)();
          if (line === undefined) session.cancel();
          else session.submit(line);
        } else {
          const opened = flags.browser !== false && (deps.canOpenBrowser ?? hasDisplay)() && openBrowser(session.url);
          if (opened) output.err('A browser was asked to open it.');
          output.err(`Waiting for the login callback on http://127.0.0.1:${session.listenerPort}${settings[name].callbackPath} (up to ${Math.round(settings.callbackTimeoutMs / 60_000)} min)...`);
        }
        const result = await session.result.catch((error: unknown) => {
          if (error instanceof OAuthError) throw new CliError(`login failed: ${error.message}`);
          if (error instanceof AuditUnavailableError) throw new CliError('the audit log cannot be written; the login was refused and nothing was stored');
          throw error;
        });
        const who = result.email === undefined ? '' : ` as ${result.email}`;
        output.err(`Logged in to ${name}${who}; the tokens are stored encrypted in the vault.`);
        output.out(`credential ${result.credentialId} (provider ${providerId})`);
      } finally {
        await opened.close();
      }
    });
}
