import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { ConfigError } from '../config/load.ts';
import { registerKeysCommand } from './keys-command.ts';
import { registerAuditCommand } from './audit-command.ts';
import { registerMockUpstreamCommand } from './mock-upstream-command.ts';
import { registerMockOAuthCommand } from './mock-oauth-command.ts';
import { registerLoginCommand } from './login-command.ts';
import { cliVaultOpener } from './login-vault.ts';
import { registerPoolCommand } from './pool-command.ts';
import { registerCredentialsCommand } from './credentials-command.ts';
import { registerVaultCommand } from './vault-command.ts';
import { registerUsageCommand } from './usage-command.ts';
import { registerBlocksCommand } from './blocks-command.ts';
import { CliError, type CliOutput, processOutput } from './output.ts';
import { registerServeCommand } from './serve-command.ts';

/** Builds the `rampart` command tree. */
export function buildProgram(output: CliOutput): Command {
  const program = new Command('rampart')
    .description('Rampart: a self-hosted, security-hardened gateway for LLM APIs')
    .version(pkg.version, '-v, --version', 'print the version')
    .option('--debug', 'print stack traces on errors')
    .option('--allow-insecure-permissions', 'proceed even if the data folder or a file in it is readable by others (prints a loud warning)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.out(s.trimEnd()), writeErr: (s) => output.err(s.trimEnd()) });
  registerServeCommand(program, output);
  registerKeysCommand(program, output);
  registerAuditCommand(program, output);
  registerPoolCommand(program, output);
  registerCredentialsCommand(program, output);
  registerVaultCommand(program, output);
  registerUsageCommand(program, output);
  registerBlocksCommand(program, output);
  registerMockUpstreamCommand(program, output);
  registerMockOAuthCommand(program, output);
  registerLoginCommand(program, output, { openVault: cliVaultOpener(output) });
  for (const command of program.commands) command.exitOverride();
  // The override is written anywhere on the line; every command reads it from its own options.
  program.hook('preAction', (_root, action) => {
    if (program.opts<{ allowInsecurePermissions?: boolean }>().allowInsecurePermissions === true) action.setOptionValue('allowInsecurePermissions', true);
  });
  return program;
}

/** Runs the CLI and returns the exit code. Errors are one clear line; stacks only with --debug. */
export async function runCli(argv: string[], output: CliOutput = processOutput): Promise<number> {
  const program = buildProgram(output);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const debug = argv.includes('--debug');
    if (debug && error instanceof Error && error.stack) output.err(error.stack);
    output.err(`rampart: ${describe(error)}`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof ConfigError || error instanceof CliError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return `${error.message} (is another Rampart or service using that port?)`;
    return error.message;
  }
  return String(error);
}
