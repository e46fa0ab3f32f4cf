/**
 * `nrepl-ts ps [--all] [--json]`: the user's agent processes, one line each
 * (pid, parent, uptime, servers, command), from the per-user process list
 * (processes.ts). With `--all`, also the user's other Node processes, which
 * `nrepl-ts attach PID` can reach. Every listed agent process is reachable
 * with `--pid PID`, also the ones with no server of their own (cluster
 * workers, forked children).
 */
import { flag, type CommandSpec } from './args';
import { commandArgs } from './command';
import { CliError, ExitCodes, jsonLine, type Io } from './io';
import { listEntries, userNodeProcesses } from './processes';
import { PROCESS_SOCKET_SERVER } from '../shared/process-dir';
import { processDirPath, type ProcessEntry } from '../shared/process-dir';
import { disableSigusr1Flag } from './attach-checks';

export const PS_SPEC: CommandSpec = {
  command: 'ps',
  options: [{ name: 'all', short: 'a', type: 'flag' }, { name: 'json', short: 'j', type: 'flag' }],
};

export const PS_HELP = `Usage: nrepl-ts ps [--all] [--json]

Lists your Node processes that run the nrepl-ts agent, one line each: every
one is reachable with --pid PID (nrepl-ts connect --pid PID, eval --pid PID),
also cluster workers and forked children that have no port of their own.

Options:
  -a, --all           also list your other Node processes (nrepl-ts attach PID)
  -j, --json          one JSON object per line
  -h, --help          show this help

The list lives in $XDG_RUNTIME_DIR/nrepl-ts/ (or <tmpdir>/nrepl-ts-<uid>/);
entries of processes that ended, also by SIGKILL, are dropped when read.

Examples:
  nrepl-ts ps
  nrepl-ts ps --all --json`;

/** `1h02m`, `3m05s`, `12s`. Pure. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d`;
}

/** The command as a short line: `node app.js --flag`, at most 80 characters. Pure. */
export function formatCommand(argv: readonly string[]): string {
  const [exe, ...rest] = argv;
  const shown = [exe ? (exe.split('/').pop() ?? exe) : '?', ...rest].join(' ');
  return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
}

/** The servers a user connects to besides --pid, comma-separated, or `-`. Pure. */
export function formatServers(entry: ProcessEntry): string {
  const urls = entry.servers.filter((s) => s.name !== PROCESS_SOCKET_SERVER).map((s) => s.url);
  return urls.length > 0 ? urls.join(', ') : '-';
}

/** One `ps` line for an agent process. Pure (`now` given). */
export function psLine(entry: ProcessEntry, now: number): string {
  const uptime = formatUptime(now - Date.parse(entry.started));
  const child = entry.agentParent !== undefined ? `  (child of ${entry.agentParent})` : '';
  return `${String(entry.pid).padEnd(8)}${String(entry.ppid).padEnd(8)}${uptime.padEnd(8)}${formatServers(entry).padEnd(30)} ${formatCommand(entry.argv)}${child}`;
}

/** Runs `nrepl-ts ps`; resolves with the exit status. */
export async function psCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, PS_SPEC, PS_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length > 0) throw new CliError('nrepl-ts ps: takes no arguments; see `nrepl-ts ps --help`');
  const json = flag(args, 'json');
  const entries = listEntries(io.env);
  const now = Date.now();
  if (json) {
    for (const entry of entries) io.stdout.write(jsonLine({ ...entry, agent: true }));
  } else if (entries.length > 0 || flag(args, 'all')) {
    io.stdout.write(`${'PID'.padEnd(8)}${'PPID'.padEnd(8)}${'UPTIME'.padEnd(8)}${'SERVERS (all: --pid PID)'.padEnd(30)} COMMAND\n`);
    for (const entry of entries) io.stdout.write(`${psLine(entry, now)}\n`);
  }
  if (flag(args, 'all')) {
    const known = new Set(entries.map((e) => e.pid));
    for (const other of userNodeProcesses()) {
      if (known.has(other.pid)) continue;
      const refuses = disableSigusr1Flag(other.argv.slice(1), undefined);
      const note = refuses ? 'no agent; started with --disable-sigusr1: cannot attach' : `no agent: nrepl-ts attach ${other.pid}`;
      if (json) io.stdout.write(jsonLine({ pid: other.pid, argv: other.argv, agent: false, attachable: !refuses }));
      else io.stdout.write(`${String(other.pid).padEnd(8)}${''.padEnd(16)}${note.padEnd(30)} ${formatCommand(other.argv)}\n`);
    }
  }
  if (!json && entries.length === 0 && !flag(args, 'all')) {
    io.stderr.write(`nrepl-ts ps: no agent processes in ${processDirPath(io.env)}; start one with \`nrepl-ts run app.js\`, attach with \`nrepl-ts attach PID\`, or see them all with --all\n`);
  }
  return ExitCodes.OK;
}
