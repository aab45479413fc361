import type { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import { startRampart } from '../main.ts';
import type { CliOutput } from './output.ts';
import { waitForShutdownSignal } from './wait-for-signal.ts';

/** `rampart serve`: runs the gateway until SIGINT/SIGTERM, then drains and exits. */
export function registerServeCommand(program: Command, output: CliOutput): void {
  program
    .command('serve')
    .description('start the gateway (proxy listener) with the given config')
    .option('-c, --config <file>', 'config file (default: ./rampart.yaml, or built-in defaults when absent)')
    .option('--allow-insecure-permissions', 'start even if the data folder or a file in it is readable by others (prints a loud warning)')
    .action(async (options: { config?: string; allowInsecurePermissions?: boolean }) => {
      const loaded = await loadConfig({ path: options.config });
      const running = await startRampart(loaded, (line) => output.err(line), { allowInsecurePermissions: options.allowInsecurePermissions === true });
      const signal = await waitForShutdownSignal();
      output.err(`received ${signal}, shutting down`);
      await running.stop();
    });
}
