/**
 * The per-user directory of agent processes (`nrepl-ts ps`, `--pid`): where
 * it is, what one entry holds, and the checks that make it private. Shared
 * by the agent worker, which writes its own entry (registration.ts), and the
 * CLI, which reads them all (cli/processes.ts).
 *
 * The folder is `$XDG_RUNTIME_DIR/nrepl-ts/` when that variable names an
 * absolute folder (per-user and private by the XDG rules), else
 * `<tmpdir>/nrepl-ts-<uid>/`. Either way it is created 0700 and used only
 * while it is a real folder owned by this user that nobody else can enter:
 * under a shared /tmp another user could create `nrepl-ts-<uid>` first and
 * read or plant entries, so such a folder is refused, never repaired.
 *
 * It does not write entries or read other processes' state.
 */
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** What one agent process tells about itself, in `<pid>.json`. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** The process's argv (node, script, args). */
  argv: string[];
  cwd: string;
  /** ISO time the process started (process uptime subtracted from now). */
  started: string;
  /** Field 22 of /proc/<pid>/stat (start time in clock ticks), when readable: tells a reused pid from this process. */
  startTicks?: string;
  node: string;
  /** The pid of the agent process this one descends from (NREPL_TS_AGENT_PID), if any. */
  agentParent?: number;
  /** The owner-only nREPL socket every agent process listens on in this folder. */
  socket?: string;
  servers: Array<{ name: string; accept: string; url: string }>;
}

/** Variable that switches the registration (entry and per-process socket) off: `NREPL_REGISTRY=off`. */
export const REGISTRY_VAR = 'NREPL_REGISTRY';

/** The name of each agent process's own server on its socket in the process list (not announced). */
export const PROCESS_SOCKET_SERVER = 'nrepl-ts/pid';

/** The folder for this user under `env`. */
export function processDirPath(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid(), temp: string = tmpdir()): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime)) return join(runtime, 'nrepl-ts');
  return join(temp, `nrepl-ts-${uid}`);
}

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** Why `dir` must not be used (not a folder, someone else's, open to others), or undefined when it is private. */
export function processDirObstacle(dir: string, uid: number = currentUid()): string | undefined {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (err) {
    return `cannot inspect it (${(err as Error).message})`;
  }
  if (stat.isSymbolicLink()) return 'it is a symbolic link';
  if (!stat.isDirectory()) return 'it is not a folder';
  if (stat.uid !== uid) return `it belongs to uid ${stat.uid}, not to you (uid ${uid})`;
  if ((stat.mode & 0o077) !== 0) return `it is open to other users (mode ${(stat.mode & 0o777).toString(8)}); it must be 0700`;
  return undefined;
}

/** Creates the folder (0700) if missing and checks it; returns it, or throws one sentence naming the folder and what to do. */
export function ensureProcessDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = processDirPath(env);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(`cannot create ${dir}: ${(err as Error).message}`);
  }
  const obstacle = processDirObstacle(dir);
  if (obstacle) throw new Error(`refusing to use ${dir}: ${obstacle}; remove it (or set XDG_RUNTIME_DIR to a private folder)`);
  return dir;
}

/** `<dir>/<pid>.json` and `<dir>/<pid>.sock`. */
export function entryPath(dir: string, pid: number): string {
  return join(dir, `${pid}.json`);
}
export function socketPath(dir: string, pid: number): string {
  return join(dir, `${pid}.sock`);
}

/** Field 22 of /proc/<pid>/stat, or undefined where there is no /proc. The command name (field 2) may hold spaces and parentheses. */
export function procStartTicks(pid: number | 'self'): string | undefined {
  const fields = procStatFields(pid);
  return fields?.[19];
}

/** The parent pid from /proc/<pid>/stat, or undefined. */
export function procParent(pid: number): number | undefined {
  const fields = procStatFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Fields 3.. of /proc/<pid>/stat (state first), or undefined. */
function procStatFields(pid: number | 'self'): string[] | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Splits /proc/<pid>/stat after the command name: [state, ppid, pgrp, …]; index 19 is the start time. Pure. */
export function parseProcStat(text: string): string[] | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  return text.slice(close + 2).trim().split(' ');
}
