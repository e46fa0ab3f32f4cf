/**
 * The `nrepl-ts` command: picks the subcommand, runs it, and turns a
 * `CliError` into its one line on stderr and its exit status. The commands
 * live one per module; this file only knows their names and help.
 */
import { attachCommand } from './attach';
import { connectCommand } from './connect';
import { describeCommand } from './describe';
import { envCommand } from './env';
import { evalCommand } from './eval';
import { CliError, ExitCodes, processIo, type Io } from './io';
import { psCommand } from './ps';
import { runCommand } from './run';
import { sessionsCommand } from './sessions';
import { packageVersion } from './version';

type Command = (argv: readonly string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  connect: connectCommand,
  eval: evalCommand,
  run: runCommand,
  describe: describeCommand,
  sessions: sessionsCommand,
  attach: attachCommand,
  ps: psCommand,
  env: envCommand,
};

export const MAIN_HELP = `Usage: nrepl-ts <command> [options]

A REPL inside any running Node.js program, from the terminal.

Commands:
  run [options] APP [ARGS...]   run node APP with an nREPL server inside
  connect [TARGET]              interactive REPL on the app's nREPL server
  eval CODE | -                 evaluate once and print the value (for scripts)
  describe [TARGET]             the server's versions and ops
  sessions [TARGET]             the server's sessions
  attach PID                    start a server inside a running Node process
  ps [--all]                    your agent processes (each reachable by --pid)
  env [--unset]                 the NODE_OPTIONS line for this shell: eval "$(nrepl-ts env)"

Client commands find the server through .nrepl-port in this folder or a
parent, or take --port, --host, --socket or a TARGET (nrepl://HOST:PORT,
nrepl+unix:PATH). \`nrepl-ts <command> --help\` shows each command's options.

Examples:
  nrepl-ts run server.js           # terminal 1: the app, as usual
  nrepl-ts connect                 # terminal 2: app> 1 + 1
  nrepl-ts eval 'process.uptime()'`;

/** Runs the CLI with `argv` (without node and the script); resolves with the exit status. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic]) return main([topic, '--help'], io);
    io.stdout.write(`${MAIN_HELP}\n`);
    return ExitCodes.OK;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCodes.OK;
  }
  const command = COMMANDS[name];
  try {
    if (!command) {
      const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
      throw new CliError(`nrepl-ts: ${what}; commands are ${Object.keys(COMMANDS).join(', ')} (see \`nrepl-ts --help\`)`);
    }
    return await command(rest, io);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
}
