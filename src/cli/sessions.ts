/**
 * `nrepl-ts sessions`: the server's sessions (`ls-sessions`) as a readable
 * list, or the raw reply with `--json`. Formatting is pure (`formatSessions`).
 */
import { flag, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, jsonLine, type Io } from './io';
import { connectionError, openConnection, TARGET_HELP, TARGET_OPTIONS } from './open';

export const SESSIONS_SPEC: CommandSpec = {
  command: 'sessions',
  options: [...TARGET_OPTIONS, { name: 'json', short: 'j', type: 'flag' }],
};

export const SESSIONS_HELP = `Usage: nrepl-ts sessions [options] [TARGET]

Lists the sessions of the nREPL server (from every connected client).
TARGET is nrepl://HOST:PORT, nrepl+unix:PATH, HOST:PORT or PORT.

Options:
${TARGET_HELP}
  -j, --json          print the ls-sessions reply as JSON
  -h, --help          show this help

Examples:
  nrepl-ts sessions
  nrepl-ts eval --session "$(nrepl-ts sessions --json | jq -r '.sessions[0]')" 'x'`;

/** Readable text for the session ids of the server at `where`. */
export function formatSessions(ids: readonly string[], where: string): string {
  if (ids.length === 0) return `no sessions on ${where}`;
  return [`${ids.length} session${ids.length === 1 ? '' : 's'} on ${where}:`, ...ids.map((id) => `  ${id}`)].join('\n');
}

/** Runs `nrepl-ts sessions`; resolves with the exit status. */
export async function sessionsCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, SESSIONS_SPEC, SESSIONS_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length > 1) throw new CliError('nrepl-ts sessions: expected at most one TARGET; see `nrepl-ts sessions --help`');
  const { client, where, resolved } = await openConnection(args, io, args.positionals[0]);
  try {
    const ids = (await client.lsSessions({}, { timeoutMs: 10_000 })).map(String);
    io.stdout.write(flag(args, 'json') ? jsonLine({ sessions: ids }) : `${formatSessions(ids, where)}\n`);
    return ExitCodes.OK;
  } catch (err) {
    throw connectionError(err, resolved);
  } finally {
    void client.end().catch(() => {});
  }
}
