/**
 * Opens the nREPL connection for a client command: resolves the target
 * (target.ts), connects with the shared client from src/client/client.ts, and
 * turns every failure into one `CliError` line with exit status 2 that says
 * what to do. The options every client command shares are declared here.
 */
import { connect, NreplClientError, type NreplClient } from '../client/client';
import { stringOption, type OptionSpec, type ParsedArgs } from './args';
import { CliError, ExitCodes, type Io } from './io';
import { describeTarget, resolveTarget, type ResolvedTarget } from './target';

/** `--host`, `--port`, `--socket`: where to connect. */
export const TARGET_OPTIONS: readonly OptionSpec[] = [
  { name: 'host', type: 'string' },
  { name: 'port', short: 'p', type: 'string' },
  { name: 'socket', short: 's', type: 'string' },
  { name: 'pid', type: 'string' },
];

/** Help text lines for TARGET_OPTIONS. */
export const TARGET_HELP = `  -p, --port PORT     nREPL port (default: from .nrepl-port in this folder or a parent)
      --host HOST     host of the nREPL server (default 127.0.0.1)
  -s, --socket PATH   connect to a unix domain socket instead of TCP
      --pid PID       the agent process PID, from \`nrepl-ts ps\` (its own socket)`;

/** An open connection and where it goes. */
export interface Connection {
  client: NreplClient;
  /** `host:port` or `nrepl+unix:path`. */
  where: string;
  resolved: ResolvedTarget;
}

/** Resolves the target from the parsed options (and an optional positional target) and connects. */
export async function openConnection(args: ParsedArgs, io: Io, target?: string): Promise<Connection> {
  const pid = stringOption(args, 'pid');
  const found = resolveTarget(
    { host: stringOption(args, 'host'), port: stringOption(args, 'port'), socket: pid !== undefined ? pidSocket(pid, io) : stringOption(args, 'socket'), target },
    io.cwd,
  );
  if (!found.ok) throw new CliError(found.error);
  const { resolved } = found;
  try {
    // No request timeout: an eval may legitimately run for hours; Ctrl-C interrupts it.
    const client = await connect(resolved.target, { timeoutMs: 0, connectTimeoutMs: 10_000 });
    return { client, where: describeTarget(resolved.target), resolved };
  } catch (err) {
    throw connectionError(err, resolved);
  }
}

/** The socket of agent process `pid` from the process list (processes.ts); a CliError when it is not listed. */
export function pidSocket(text: string, io: Io): string {
  const { findEntry, parsePid } = require('./processes') as typeof import('./processes');
  const pid = parsePid(text);
  if (pid === undefined) throw new CliError(`nrepl-ts: --pid: "${text}" is not a process id`);
  const entry = findEntry(pid, io.env);
  if (!entry) throw new CliError(`nrepl-ts: pid ${pid} is not a running agent process (see \`nrepl-ts ps\`); start it with the preload or \`nrepl-ts attach ${pid}\``);
  if (!entry.socket) throw new CliError(`nrepl-ts: pid ${pid} runs the agent but has no per-process socket (NREPL_REGISTRY=off?); use its port: ${entry.servers.map((s) => s.url).join(', ') || 'none'}`);
  return entry.socket;
}

/** The one line for a failed or lost connection (exit status 2). */
export function connectionError(err: unknown, resolved?: ResolvedTarget): CliError {
  const message = err instanceof Error ? err.message : String(err);
  const hint = resolved?.portFile ? ` (port from ${resolved.portFile}; is the app still running?)` : '';
  const known = err instanceof NreplClientError || err instanceof CliError;
  return new CliError(`nrepl-ts: ${known ? message : `unexpected error: ${message}`}${hint}`, ExitCodes.USAGE);
}
