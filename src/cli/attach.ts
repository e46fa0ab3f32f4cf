/**
 * `nrepl-ts attach PID`: starts the agent and a server inside a Node
 * process that was started without the preload, as Java's Attach API does.
 *
 * Every check that can be made from outside comes first, so a refused
 * target is never touched: the pid exists, is this user's, runs a node
 * binary, runs no agent yet (then its servers are reported), runs a Node
 * version the agent supports, does not ignore SIGUSR1, and its inspector
 * port is not held by another process. Only then SIGUSR1 opens the target's
 * inspector on loopback; over its WebSocket one `Runtime.evaluate` (with the
 * command-line API, which has `require` even in ESM apps) requires this very
 * installation of nrepl-ts by absolute path and calls `startServer`; a
 * second one closes the inspector again. If the inspector was already open
 * (the user's), it is used and left open. The inspector-open window is
 * measured and reported.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, stringOption, type CommandSpec } from './args';
import { disableSigusr1Flag, environValue, inspectorAddress, supportedNode } from './attach-checks';
import { commandArgs } from './command';
import { connectCommand } from './connect';
import { debuggerUrl, InspectorSession, listeningPorts, portOpen } from './inspector';
import { CliError, ExitCodes, type Io } from './io';
import { findEntry, isNodeExecutable, parsePid, pidAlive } from './processes';
import { formatServers } from './ps';

export const ATTACH_SPEC: CommandSpec = {
  command: 'attach',
  options: [
    { name: 'port', short: 'p', type: 'string' },
    { name: 'socket', short: 's', type: 'string' },
    { name: 'accept', type: 'string' },
    { name: 'connect', short: 'c', type: 'flag' },
    { name: 'timeout', type: 'string' },
  ],
};

export const ATTACH_HELP = `Usage: nrepl-ts attach [options] PID

Starts an nREPL server (or another accept) inside a running Node process of
yours that was started without nrepl-ts, and prints its address. The process
keeps running; nothing is restarted.

Options:
  -p, --port N        TCP port on 127.0.0.1 (default 0: any free port)
  -s, --socket PATH   a unix domain socket (owner-only) instead of TCP
      --accept NAME   nrepl-ts/nrepl (default), nrepl-ts/repl or nrepl-ts/prepl
  -c, --connect       go straight into \`nrepl-ts connect\` on the new server
      --timeout MS    how long to wait for the target (default 10000)
  -h, --help          show this help

How: SIGUSR1 opens the target's inspector on loopback (as \`kill -USR1\`
does); one evaluation starts the agent; the inspector is closed again at once
(an inspector the process already had open is left as it was). While it is
open, any local process could connect to it, as with \`node --inspect\`.
The target prints Node's own "Debugger listening on …" lines on its stderr.

Examples:
  nrepl-ts attach 4242
  nrepl-ts attach --connect 4242
  nrepl-ts attach --socket /tmp/app.sock 4242`;

/** Waits up to this long for an inspector to open after SIGUSR1. */
const OPEN_WAIT_MS = 5_000;
/** After this long without an answer the target is probably busy: say so. */
const BUSY_NOTE_MS = 1_000;

/** Why the target must not be touched (one line), or its facts. */
interface TargetFacts {
  args: string[];
  nodeOptions: string | undefined;
  exe: string;
}

function refuse(message: string): never {
  throw new CliError(`nrepl-ts attach: ${message}`);
}

/** The checks that need no signal. Throws a CliError naming the reason; the target is untouched. */
function inspectTarget(pid: number): TargetFacts {
  if (!pidAlive(pid)) refuse(`no process with pid ${pid}`);
  const uid = process.getuid?.();
  let owner: number | undefined;
  try {
    owner = statSync(`/proc/${pid}`).uid;
  } catch {
    refuse(`cannot inspect pid ${pid} (no /proc here?); attach works on Linux`);
  }
  if (uid !== undefined && owner !== uid) refuse(`pid ${pid} belongs to another user (uid ${owner}); attach only to your own processes (nothing was sent to it)`);
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch (err) {
    refuse(`cannot read /proc/${pid}/exe: ${(err as Error).message}`);
  }
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '').slice(1);
  } catch {
    args = [];
  }
  if (!isNodeExecutable(exe)) refuse(`pid ${pid} is not a Node process (it runs ${exe}); nothing was sent to it`);
  let environ = '';
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    // Unreadable: only the command line is checked.
  }
  return { args, nodeOptions: environValue(environ, 'NODE_OPTIONS'), exe };
}

function targetVersion(pid: number): string {
  try {
    // The target's own binary (also when replaced on disk since): what it reports is what runs.
    return execFileSync(`/proc/${pid}/exe`, ['--version'], { encoding: 'utf8', timeout: 5_000, env: {}, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server spec to start, from the options. */
function serverSpec(args: import('./args').ParsedArgs, cwd: string): Record<string, unknown> {
  const accept = stringOption(args, 'accept') ?? 'nrepl-ts/nrepl';
  const socket = stringOption(args, 'socket');
  const portText = stringOption(args, 'port');
  if (socket !== undefined && portText !== undefined) refuse('give --port or --socket, not both');
  // No .nrepl-port in the target's folder: attach prints the address, and --pid reaches the process.
  const spec: Record<string, unknown> = { name: 'attach', accept, 'port-file': false };
  if (socket !== undefined) spec.socket = resolve(cwd, socket);
  else {
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) refuse(`--port: expected 0-65535, got "${portText}"`);
    spec.port = port;
  }
  return spec;
}

/** What the evaluation inside the target returns. */
interface Started {
  url: string;
}

/** Runs `nrepl-ts attach`; resolves with the exit status. */
export async function attachCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = commandArgs(argv, ATTACH_SPEC, ATTACH_HELP, io);
  if (!args) return ExitCodes.OK;
  if (args.positionals.length !== 1) refuse('expected one PID; see `nrepl-ts attach --help` (`nrepl-ts ps --all` lists your Node processes)');
  const pid = parsePid(args.positionals[0]!);
  if (pid === undefined) refuse(`"${args.positionals[0]}" is not a process id`);
  const timeoutMs = Number(stringOption(args, 'timeout') ?? 10_000);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) refuse(`--timeout: expected milliseconds, got "${stringOption(args, 'timeout')}"`);
  const spec = serverSpec(args, io.cwd);
  const note = (line: string) => io.stderr.write(`nrepl-ts attach: ${line}\n`);

  const facts = inspectTarget(pid);
  const running = findEntry(pid, io.env);
  if (running) {
    note(`pid ${pid} already runs the agent; its servers: ${formatServers(running)} (and nrepl-ts connect --pid ${pid}); nothing was changed`);
    const first = running.servers.find((s) => s.name !== 'nrepl-ts/pid' && s.accept === 'nrepl-ts/nrepl') ?? running.servers[0];
    if (first) io.stdout.write(`${first.url}\n`);
    return flag(args, 'connect') && first ? connectCommand([first.url], io) : ExitCodes.OK;
  }
  const version = targetVersion(pid);
  if (!supportedNode(version)) refuse(`pid ${pid} runs Node ${version || '(unknown version)'}; the agent needs Node ^20.19.0 or >=22.12.0 (nothing was sent to it)`);
  if (disableSigusr1Flag(facts.args, facts.nodeOptions)) {
    refuse(`pid ${pid} was started with --disable-sigusr1, so its inspector cannot be opened from outside; restart it without that flag, or with --import nrepl-ts/register (nothing was sent to it)`);
  }
  const address = inspectorAddress(facts.args, facts.nodeOptions);
  const before = listeningPorts(pid);
  const alreadyOpen = address.port !== 0 && before.has(address.port);
  if (!alreadyOpen && address.port !== 0 && (await portOpen(address.host, address.port))) {
    refuse(`the inspector port ${address.host}:${address.port} of pid ${pid} is taken by another process; free it (or start the target with --inspect-port=N) and try again (nothing was sent to it)`);
  }

  const opened = Date.now();
  let inspectorPort = address.port;
  if (!alreadyOpen) {
    const debugProcess = (process as unknown as { _debugProcess?: (pid: number) => void })._debugProcess;
    try {
      if (debugProcess) debugProcess(pid);
      else process.kill(pid, 'SIGUSR1');
    } catch (err) {
      refuse(`could not signal pid ${pid}: ${(err as Error).message}`);
    }
    const found = await waitForInspector(pid, address.host, address.port, before);
    if (found === undefined) {
      refuse(`no inspector opened in pid ${pid} within ${OPEN_WAIT_MS} ms: it ignores SIGUSR1 (--disable-sigusr1, or a SIGUSR1 handler of its own), its inspector port ${address.port} was taken (see its stderr), or its main thread is blocked outside JavaScript`);
    }
    inspectorPort = found;
  } else {
    note(`pid ${pid} already has an inspector open on ${address.host}:${address.port}: using it and leaving it open`);
  }

  let session: InspectorSession | undefined;
  let started: Started | undefined;
  let failure: string | undefined;
  try {
    const url = await debuggerUrl(address.host, inspectorPort);
    if (!url) throw new Error(`the inspector on ${address.host}:${inspectorPort} lists no target`);
    session = await InspectorSession.open(url);
    started = await startInside(session, spec, timeoutMs, note);
  } catch (err) {
    failure = (err as Error).message;
  } finally {
    if (!alreadyOpen) await closeInspector(session, address.host, inspectorPort);
    else session?.close();
  }
  const window = Date.now() - opened;
  if (failure !== undefined) {
    refuse(`${failure}${alreadyOpen ? '' : ` (the inspector was open for ${window} ms and is closed again)`}`);
  }
  io.stdout.write(`${started!.url}\n`);
  note(`pid ${pid} (node ${version}): server started on ${started!.url} (also: nrepl-ts connect --pid ${pid})${alreadyOpen ? '' : `; the inspector was open for ${window} ms and is closed again`}`);
  return flag(args, 'connect') ? connectCommand([started!.url], io) : ExitCodes.OK;
}

/** Polls until the target listens on the inspector port (or, for port 0, on a new port that answers /json/list). */
async function waitForInspector(pid: number, host: string, port: number, before: Set<number>): Promise<number | undefined> {
  const deadline = Date.now() + OPEN_WAIT_MS;
  while (Date.now() < deadline) {
    const now = listeningPorts(pid);
    const candidates = port !== 0 ? (now.has(port) ? [port] : []) : [...now].filter((p) => !before.has(p));
    for (const candidate of candidates) {
      try {
        if (await debuggerUrl(host, candidate)) return candidate;
      } catch {
        // Not (yet) an inspector.
      }
    }
    await sleep(15);
  }
  return undefined;
}

/** The one evaluation inside the target: require this installation by absolute path, start the server. */
async function startInside(session: InspectorSession, spec: Record<string, unknown>, timeoutMs: number, note: (line: string) => void): Promise<Started> {
  const entry = join(__dirname, '..', 'index.js');
  const expression = `(async () => { const api = require(${JSON.stringify(entry)}); const info = await api.startServer(${JSON.stringify(spec)}); return JSON.stringify({ url: info.url }); })()`;
  const busy = setTimeout(() => note(`waiting for the target's main thread (busy?): the server starts once it runs JavaScript again; giving up after ${timeoutMs} ms`), BUSY_NOTE_MS);
  try {
    const reply = (await session.call('Runtime.evaluate', { expression, includeCommandLineAPI: true, awaitPromise: true, returnByValue: true }, timeoutMs)) as {
      result?: { value?: unknown };
      exceptionDetails?: { exception?: { description?: string }; text?: string };
    };
    if (reply.exceptionDetails) {
      const text = reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text ?? 'failed';
      throw new Error(`the server did not start: ${text.split('\n')[0]}`);
    }
    return JSON.parse(String(reply.result?.value)) as Started;
  } catch (err) {
    if (/no answer to Runtime.evaluate/.test((err as Error).message)) {
      throw new Error(`the target's main thread did not run the start within ${timeoutMs} ms (busy in a loop?); a server may still start when it is free again: check \`nrepl-ts ps\``);
    }
    throw err;
  } finally {
    clearTimeout(busy);
  }
}

/** Closes the target's inspector (its reply never comes: the session closes with it) and waits until the port refuses. */
async function closeInspector(session: InspectorSession | undefined, host: string, port: number): Promise<void> {
  if (session) {
    session.fire('Runtime.evaluate', { expression: `require('inspector').close()`, includeCommandLineAPI: true });
    let timer: NodeJS.Timeout | undefined;
    // The timer is cleared once the session closed: a lost race must not keep the command alive for 2 s.
    await Promise.race([session.closed, new Promise<void>((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    session.close();
  } else {
    // Opened but never reached: a fresh session just to close it.
    try {
      const url = await debuggerUrl(host, port);
      if (url) return closeInspector(await InspectorSession.open(url), host, port);
    } catch {
      // Nothing more can be done from outside.
    }
  }
  for (let i = 0; i < 100 && (await portOpen(host, port, 200)); i++) await sleep(10);
}
