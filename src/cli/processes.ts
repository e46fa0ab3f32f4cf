/**
 * Reading the per-user process list (server/process-dir.ts) for `ps`,
 * `--pid`, `--pids` and `--all-of`: the entries of live agent processes,
 * with the entries (and sockets) of dead ones removed as they are found —
 * this is how a process killed with SIGKILL leaves the list. An entry is
 * dead when its pid is gone or now belongs to a process with another start
 * time (a reused pid).
 *
 * It also finds the user's other Node processes (`ps --all`) and a
 * process's descendants, from /proc. It never signals or connects.
 */
import { readdirSync, readFileSync, readlinkSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { entryPath, processDirObstacle, processDirPath, procParent, procStartTicks, socketPath, type ProcessEntry } from '../shared/process-dir';

/** True when `pid` runs (or exists as another user's process). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the entry still describes a running process. */
export function entryAlive(entry: ProcessEntry): boolean {
  if (!pidAlive(entry.pid)) return false;
  if (entry.startTicks === undefined) return true;
  const now = procStartTicks(entry.pid);
  return now === undefined || now === entry.startTicks;
}

/** Parses an entry file; undefined when it is not one. Pure. */
export function parseEntry(text: string): ProcessEntry | undefined {
  try {
    const value = JSON.parse(text) as ProcessEntry;
    if (typeof value !== 'object' || value === null || !Number.isInteger(value.pid) || !Array.isArray(value.servers)) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

/** The live entries, by pid; dead ones are removed. `dir` defaults to this user's folder. */
export function listEntries(env: NodeJS.ProcessEnv = process.env, dir: string = processDirPath(env)): ProcessEntry[] {
  let names: string[];
  try {
    if (processDirObstacle(dir) !== undefined) return [];
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries: ProcessEntry[] = [];
  for (const name of names) {
    const match = /^(\d+)\.json$/.exec(name);
    if (!match) continue;
    let entry: ProcessEntry | undefined;
    try {
      entry = parseEntry(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue; // removed meanwhile
    }
    if (!entry || entry.pid !== Number(match[1])) continue;
    if (entryAlive(entry)) entries.push(entry);
    else removeDead(dir, entry.pid);
  }
  return entries.sort((a, b) => a.pid - b.pid);
}

function removeDead(dir: string, pid: number): void {
  for (const path of [entryPath(dir, pid), socketPath(dir, pid)]) {
    try {
      unlinkSync(path);
    } catch {
      // Gone already.
    }
  }
}

/** The live entry of `pid`, or undefined. */
export function findEntry(pid: number, env: NodeJS.ProcessEnv = process.env): ProcessEntry | undefined {
  return listEntries(env).find((e) => e.pid === pid);
}

/** True when `pid` is `ancestor` or descends from it (walking parent pids in /proc, or the entries' recorded ppid). */
export function descendsFrom(pid: number, ancestor: number, parentOf: (pid: number) => number | undefined = procParent): boolean {
  let current: number | undefined = pid;
  for (let hops = 0; current !== undefined && current > 1 && hops < 64; hops++) {
    if (current === ancestor) return true;
    current = parentOf(current);
  }
  return false;
}

/** `--pids 11,12,13`: the pids, or an error sentence. Pure. */
export function parsePidList(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return `--pids: expected a comma-separated list of process ids, got "${text}"`;
  const pids: number[] = [];
  for (const part of parts) {
    const pid = parsePid(part);
    if (pid === undefined) return `--pids: "${part}" is not a process id`;
    if (!pids.includes(pid)) pids.push(pid);
  }
  return pids;
}

/** A process id (a positive integer), or undefined. Pure. */
export function parsePid(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text.trim())) return undefined;
  const pid = Number(text.trim());
  return pid > 0 && pid <= 0x7fffffff ? pid : undefined;
}

/** A Node process of this user that runs no agent (for `ps --all`). */
export interface OtherNodeProcess {
  pid: number;
  argv: string[];
}

/** This user's Node processes from /proc (none elsewhere), other than this one. */
export function userNodeProcesses(uid: number = process.getuid?.() ?? 0): OtherNodeProcess[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: OtherNodeProcess[] = [];
  for (const name of names) {
    const pid = parsePid(name);
    if (pid === undefined || pid === process.pid) continue;
    try {
      if (statSync(`/proc/${pid}`).uid !== uid) continue;
      if (!isNodeExecutable(readlinkSync(`/proc/${pid}/exe`))) continue;
      found.push({ pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '') });
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** True for the path of a node binary (`node`, `nodejs`, `node20`, also when replaced on disk: `… (deleted)`). Pure. */
export function isNodeExecutable(path: string): boolean {
  return /^node(js)?[\d.]*$/.test(basename(path.replace(/ \(deleted\)$/, '')));
}
