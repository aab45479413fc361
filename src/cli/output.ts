/** Where commands write; injectable so tests can capture output without spawning a process. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The real terminal. */
export const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** An error meant for the operator: printed as one line, never with a stack trace (unless --debug). */
export class CliError extends Error {
  override readonly name = 'CliError';
}
