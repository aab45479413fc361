import type { Command } from 'commander';
import { startMockUpstream } from '../devtools/mock-upstream/index.ts';
import { CliError, type CliOutput } from './output.ts';
import { waitForShutdownSignal } from './wait-for-signal.ts';

/** `rampart mock-upstream`: a faithful fake of the providers' APIs, for trying Rampart and for tests. */
export function registerMockUpstreamCommand(program: Command, output: CliOutput): void {
  program
    .command('mock-upstream')
    .description('run a fake OpenAI / Anthropic / Gemini upstream with deterministic replies and fault injection (for testing)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '9999')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--api-key <key>', 'require this bearer key (default: accept any request)')
    .action(async (options: { port: string; host: string; apiKey?: string }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535, got "${options.port}"`);
      const mock = await startMockUpstream({ host: options.host, port, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
      output.out(`mock-upstream listening on ${mock.url} (OpenAI base URL ${mock.url}/v1; Anthropic and Gemini base URL ${mock.url})`);
      await waitForShutdownSignal();
      await mock.close();
    });
}
