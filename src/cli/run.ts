/**
 * `nrepl-ts run [server options] app.js [args…]`: runs the app under node
 * with the agent preloaded, exactly as `node --import nrepl-ts/register
 * app.js` would, and stands in for it: same stdio, same exit code, and a
 * death by signal is re-raised so the caller sees the same signal.
 *
 * Signals sent to this process are forwarded to the app. SIGINT and SIGQUIT
 * are not forwarded when stdin is a terminal: there the terminal already
 * delivers Ctrl-C and Ctrl-\ to the whole foreground group, app included, and
 * a second copy would break apps that count presses.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { flag, listOption, stringOption, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, type Io } from './io';
import { splitNodeArgs } from './node-args';
import { serverEnv } from './server-env';
import { typeScriptPlan } from './typescript';

export const RUN_SPEC: CommandSpec = {
  command: 'run',
  stopAtPositional: true,
  options: [
    { name: 'port', short: 'p', type: 'string' },
    { name: 'host', type: 'string' },
    { name: 'socket', short: 's', type: 'string' },
    { name: 'repl', type: 'string' },
    { name: 'prepl', type: 'string' },
    { name: 'no-nrepl', type: 'flag' },
    { name: 'node-arg', type: 'string', multiple: true },
  ],
};

export const RUN_HELP = `Usage: nrepl-ts run [options] [--] [NODE-OPTIONS...] APP [ARGS...]

Runs node APP ARGS with the nrepl-ts agent preloaded (node --import
nrepl-ts/register APP ARGS): the app runs unchanged, with an nREPL server
inside. Exit code, stdio and signals pass through.

Without server options, the app's config (NREPL_SERVER_* variables,
.nrepl.edn, package.json "nrepl"...) or the default applies: an nREPL server
on 127.0.0.1, any free port, written to .nrepl-port. Server options replace
that for the servers they name:

Options:
  -p, --port PORT     nREPL server port (0 = any free port)
      --host HOST     address the servers listen on (default 127.0.0.1)
  -s, --socket PATH   nREPL server on a unix domain socket instead of TCP
      --repl PORT     also a plain REPL server (nc 127.0.0.1 PORT); PORT or socket PATH
      --prepl PORT    also a prepl server; PORT or socket PATH
      --no-nrepl      no nREPL server (only --repl/--prepl)
      --node-arg ARG  pass ARG to node (repeatable): --node-arg=--inspect
  -h, --help          show this help
Options end at APP or at --. After --, flags before APP go to node
(-r/--import/-C/--inspect-port/--env-file take the next word as their value;
other flags with a value need --flag=value).

TypeScript (.ts, .mts, .cts, .tsx): with tsx when the app can resolve it
(npm install --save-dev tsx), else with Node's own type stripping
(Node 22.6 or later; .tsx needs tsx).

Examples:
  nrepl-ts run server.js --listen 3000
  nrepl-ts run --port 7888 --repl 5555 server.js
  nrepl-ts run -- --inspect --enable-source-maps dist/main.js
  nrepl-ts run --node-arg=--inspect src/main.ts`;

/** Signals relayed to the app. */
const RELAYED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** The agent's preload entry, resolved from this file's own install (dist/cli → package root). */
export function registerUrl(): string {
  return pathToFileURL(join(__dirname, '..', '..', 'register.js')).href;
}

/** `run`'s arguments; an unknown option (a node flag before APP) gets a hint on where node flags go. */
function runArgs(argv: readonly string[], io: Io) {
  try {
    return commandArgs(argv, RUN_SPEC, RUN_HELP, io);
  } catch (err) {
    const unknown = err instanceof CliError ? /unknown option (\S+?);/.exec(err.message) : null;
    if (!unknown) throw err;
    throw new CliError(`nrepl-ts run: unknown option ${unknown[1]}; node options go after --: nrepl-ts run -- ${unknown[1]} APP (or --node-arg=${unknown[1]}); see \`nrepl-ts run --help\``);
  }
}

/** The file: URL of the tsx loader resolved from `cwd` (as `node --import tsx` would), or undefined when the app has none. */
export function tsxLoader(cwd: string): string | undefined {
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve('tsx')).href;
  } catch {
    return undefined;
  }
}

/** Runs `nrepl-ts run`; resolves with the app's exit code (or never, when re-raising its signal kills us). */
export async function runCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = runArgs(argv, io);
  if (!args) return ExitCodes.OK;
  const split = splitNodeArgs(args.positionals);
  const { app, appArgs } = split;
  if (app === undefined) throw new CliError('nrepl-ts run: missing APP (the script to run); see `nrepl-ts run --help`');
  const userNodeArgs = [...listOption(args, 'node-arg'), ...split.nodeArgs];
  const ts = typeScriptPlan(app, userNodeArgs, tsxLoader(io.cwd), process.version);
  if (!ts.ok) throw new CliError(ts.error);
  const servers = serverEnv({
    port: stringOption(args, 'port'),
    host: stringOption(args, 'host'),
    socket: stringOption(args, 'socket'),
    repl: stringOption(args, 'repl'),
    prepl: stringOption(args, 'prepl'),
    noNrepl: flag(args, 'no-nrepl'),
  });
  if (!servers.ok) throw new CliError(servers.error);
  const child = spawn(process.execPath, [...userNodeArgs, ...ts.nodeArgs, '--import', registerUrl(), app, ...appArgs], {
    cwd: io.cwd,
    env: { ...io.env, ...servers.env },
    stdio: 'inherit',
  });
  const fromTerminal = io.stdin.isTTY === true;
  const relay = (signal: NodeJS.Signals) => {
    if (fromTerminal && (signal === 'SIGINT' || signal === 'SIGQUIT')) return;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of RELAYED) process.on(signal, relay);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve({ code: c, signal: s }));
  }).catch((err: Error) => {
    throw new CliError(`nrepl-ts run: could not start ${process.execPath}: ${err.message}`);
  });
  for (const s of RELAYED) process.off(s, relay);
  if (signal) {
    // Die of the same signal, so shells and supervisors see what happened to the app.
    process.kill(process.pid, signal);
    return 128 + (constants.signals[signal] ?? 0);
  }
  return code ?? ExitCodes.EVAL_ERROR;
}
