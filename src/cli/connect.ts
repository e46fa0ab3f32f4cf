/**
 * `nrepl-ts connect [TARGET]`: an interactive nREPL client in the terminal.
 * Connects (open.ts), asks `describe` what the server is (for the banner and
 * to read Clojure-family input as Lisp), clones a session of its own and hands
 * the terminal to the loop in repl.ts.
 */
import { ClientErrorCodes, NreplClientError, type Response } from '../client/client';
import { flag, type CommandSpec } from './args';
import { commandArgs } from './command';
import { historyPath } from './history';
import { dialectOf } from './input';
import { CliError, ExitCodes, paletteFor, type Io } from './io';
import { connectionError, openConnection, TARGET_HELP, TARGET_OPTIONS } from './open';
import { Repl } from './repl';
import { packageVersion } from './version';

export const CONNECT_SPEC: CommandSpec = { command: 'connect', options: [...TARGET_OPTIONS] };

export const CONNECT_HELP = `Usage: nrepl-ts connect [options] [TARGET]

An interactive REPL on an nREPL server: ours inside a Node app, or any other.
TARGET is nrepl://HOST:PORT, nrepl+unix:PATH, HOST:PORT, PORT or a socket path;
without one, the port comes from .nrepl-port in this folder or a parent.

Options:
${TARGET_HELP}
  -h, --help          show this help

Keys: Enter evaluates (an unfinished entry continues on a "..." line), Tab
completes, Up/Down walk the history, Ctrl-C interrupts a running evaluation
or clears the line (twice at an empty prompt: exit), Ctrl-D exits.

Environment: NREPL_TS_HISTORY=path of the history file (default
~/.nrepl-ts_history; empty: none), NO_COLOR=1 turns colors off.

Examples:
  nrepl-ts connect
  nrepl-ts connect --port 7888
  nrepl-ts connect nrepl+unix:/tmp/app.sock`;

/** `name version` pairs from a describe reply's `versions`, e.g. `nrepl-ts 0.1.0, node 20.20.2`. */
export function versionsLine(reply: Response): string {
  const versions = reply.versions;
  if (!versions || typeof versions !== 'object' || Array.isArray(versions) || Buffer.isBuffer(versions)) return '';
  return Object.entries(versions)
    .map(([name, v]) => {
      const text = v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? v['version-string'] : v;
      return typeof text === 'string' || typeof text === 'number' ? `${name} ${text}` : name;
    })
    .join(', ');
}

/** True for an nrepl-ts server, which completes whole lines. */
function isOurs(reply: Response): boolean {
  const versions = reply.versions;
  return !!versions && typeof versions === 'object' && !Array.isArray(versions) && !Buffer.isBuffer(versions) && 'nrepl-ts' in versions;
}

/** Runs `nrepl-ts connect`; resolves with the exit status. */
export async function connectCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, CONNECT_SPEC, CONNECT_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length > 1) throw new CliError('nrepl-ts connect: expected at most one TARGET; see `nrepl-ts connect --help`');
  const { client, where, resolved } = await openConnection(args, io, args.positionals[0]);
  let reply: Response;
  let session: string;
  try {
    // An old or minimal server may lack describe: carry on without it.
    reply = await client.describe({}, { timeoutMs: 5_000 }).catch((err: unknown) => {
      if (err instanceof NreplClientError && err.code === ClientErrorCodes.CONNECTION) throw err;
      return {} as Response;
    });
    session = await client.clone({ 'client-name': 'nrepl-ts', 'client-version': packageVersion() }, { timeoutMs: 10_000 });
  } catch (err) {
    void client.end().catch(() => {});
    throw connectionError(err, resolved);
  }
  const aux = reply.aux;
  const currentNs = aux && typeof aux === 'object' && !Array.isArray(aux) && !Buffer.isBuffer(aux) ? aux['current-ns'] : undefined;
  if (io.stdin.isTTY) {
    const about = versionsLine(reply);
    const dim = paletteFor(io.stdout, io.env).dim;
    io.stdout.write(`${dim(`Connected to nREPL at ${where}${about ? ` (${about})` : ''}.`)}\n${dim('Tab completes, Ctrl-C interrupts, Ctrl-D exits.')}\n`);
  }
  return new Repl({
    client,
    session,
    dialect: dialectOf(reply.versions),
    ns: typeof currentNs === 'string' && currentNs ? currentNs : 'user',
    app: aux && typeof aux === 'object' && !Array.isArray(aux) && !Buffer.isBuffer(aux) && typeof aux.app === 'string' ? aux.app : undefined,
    lineContext: isOurs(reply),
    io,
    historyFile: historyPath(io.env),
  }).run();
}
