#!/usr/bin/env node
// Entry point of the `rampart` command. Rampart runs its TypeScript sources directly
// (Node >= 22.18 strips types natively), so there is no build step between edit and run.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || !process.features.typescript) {
  process.stderr.write(
    `rampart: Node.js ${process.versions.node} is too old; Rampart needs Node >= 22.18 (24 LTS recommended).\n` +
      'Run it through npm (npm start / npm run rampart -- ...) to use the pinned Node 24, or install Node 24.\n',
  );
  process.exit(1);
}
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv);
