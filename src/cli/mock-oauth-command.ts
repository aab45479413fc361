import type { Command } from 'commander';
import { startMockOAuth } from '../devtools/mock-oauth/index.ts';
import { CliError, type CliOutput } from './output.ts';
import { waitForShutdownSignal } from './wait-for-signal.ts';

/** `rampart mock-oauth`: a fake OAuth authorization server (code + PKCE, refresh rotation), for tests and offline trials. */
export function registerMockOAuthCommand(program: Command, output: CliOutput): void {
  program
    .command('mock-oauth')
    .description('run a fake OAuth authorization server (authorization code + PKCE, refresh token rotation, fault injection) for testing logins')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '9998')
    .option('--client-id <id>', 'accept only this client id (default: any)')
    .action(async (options: { port: string; clientId?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535, got "${options.port}"`);
      // Loopback only: the fake hands out codes to anyone who asks.
      const mock = await startMockOAuth({ host: '127.0.0.1', port, ...(options.clientId ? { clientId: options.clientId } : {}) });
      output.out(`mock-oauth listening on ${mock.url} (authorize ${mock.url}/authorize, token ${mock.url}/token)`);
      await waitForShutdownSignal();
      await mock.close();
    });
}
