/**
 * `nrepl-ts env`: prints the shell line that puts the agent in NODE_OPTIONS
 * for the current shell, merged with the NODE_OPTIONS already set, following
 * the `eval "$(tool env)"` convention. Every node started from that shell then
 * runs with the agent, without the app depending on nrepl-ts. `--unset` prints
 * the line that takes it out again.
 *
 * It only prints; it never changes the caller's environment (no program can).
 */
import { flag, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, type Io } from './io';
import { nodeOptionsWithAgent, nodeOptionsWithoutAgent, shellExport } from './node-options';
import { registerUrl } from './run';

export const ENV_SPEC: CommandSpec = {
  command: 'env',
  options: [{ name: 'unset', type: 'flag' }],
};

export const ENV_HELP = `Usage: nrepl-ts env [--unset]

Prints the line that puts the nrepl-ts agent in NODE_OPTIONS for this shell,
by the absolute URL of this install's register.js (so it works for node
processes in any folder, npm scripts and children of children), keeping the
NODE_OPTIONS you already have:

  eval "$(nrepl-ts env)"       # every node started from this shell gets the agent
  node app.js                  # nREPL server started on port ...
  eval "$(nrepl-ts env --unset)"

Options:
      --unset    print the line that takes the agent out of NODE_OPTIONS again
  -h, --help     show this help
Processes whose entry script is inside node_modules (npm, tsc, ...) get no
servers (see NREPL_SKIP_PATTERN); NREPL_DISABLE=1 switches the agent off.`;

/** Runs `nrepl-ts env`. */
export async function envCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, ENV_SPEC, ENV_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length > 0) throw new CliError(`nrepl-ts env: unexpected argument "${args.positionals[0]}"; see \`nrepl-ts env --help\``);
  const existing = io.env.NODE_OPTIONS;
  const value = flag(args, 'unset') ? nodeOptionsWithoutAgent(existing, registerUrl()) : nodeOptionsWithAgent(existing, registerUrl());
  io.stdout.write(`${shellExport('NODE_OPTIONS', value)}\n`);
  return ExitCodes.OK;
}
