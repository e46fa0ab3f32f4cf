/**
 * `nrepl-ts eval --pids 11,12,13 CODE` and `eval --all-of PID CODE`: one
 * evaluation in each of several agent processes, through their per-process
 * sockets, in parallel, like Erlang's `rpc:multicall`. Prints one labelled
 * block per process in pid order: `[pid 12] <value>` (output lines and
 * errors carry the same label), or one JSON line per process with --json.
 *
 * Exit status: 0 when every process answered without error, 1 when some
 * evaluation failed, 2 when some process could not be reached.
 */
import { connect, hasStatus, type Response } from '../client/client';
import { flag, stringOption, type ParsedArgs } from './args';
import { CliError, ExitCodes, jsonLine, type Io } from './io';
import { descendsFrom, listEntries, parsePid, parsePidList } from './processes';
import type { ProcessEntry } from '../shared/process-dir';

/** What one process answered. */
export interface PidResult {
  pid: number;
  values: string[];
  out: string;
  err: string;
  /** eval-error's class, or the reason it could not be reached. */
  error?: string;
  unreachable?: boolean;
}

/** The processes named by --pids or --all-of. */
export function selectProcesses(args: ParsedArgs, entries: readonly ProcessEntry[]): { pids: number[]; byPid: Map<number, ProcessEntry> } {
  const byPid = new Map(entries.map((e) => [e.pid, e]));
  const list = stringOption(args, 'pids');
  const root = stringOption(args, 'all-of');
  if (list !== undefined && root !== undefined) throw new CliError('nrepl-ts eval: give --pids or --all-of, not both');
  if (list !== undefined) {
    const pids = parsePidList(list);
    if (typeof pids === 'string') throw new CliError(`nrepl-ts eval: ${pids}`);
    return { pids, byPid };
  }
  const ancestor = parsePid(root!);
  if (ancestor === undefined) throw new CliError(`nrepl-ts eval: --all-of: "${root}" is not a process id`);
  const recorded = (pid: number) => byPid.get(pid)?.ppid;
  const pids = entries.filter((e) => descendsFrom(e.pid, ancestor) || descendsFrom(e.pid, ancestor, recorded)).map((e) => e.pid);
  if (pids.length === 0) throw new CliError(`nrepl-ts eval: --all-of ${ancestor}: neither it nor any descendant runs the agent (see \`nrepl-ts ps\`)`);
  return { pids, byPid };
}

async function evalIn(entry: ProcessEntry | undefined, pid: number, code: string): Promise<PidResult> {
  const result: PidResult = { pid, values: [], out: '', err: '' };
  if (!entry?.socket) {
    return { ...result, unreachable: true, error: entry ? 'has no per-process socket' : 'is not a running agent process (see `nrepl-ts ps`)' };
  }
  let client;
  try {
    client = await connect({ socket: entry.socket }, { timeoutMs: 0, connectTimeoutMs: 5_000 });
  } catch (err) {
    return { ...result, unreachable: true, error: (err as Error).message };
  }
  try {
    const responses: Response[] = await client.message({ op: 'eval', code, id: `eval-${process.pid}-${pid}` }, () => {}, { timeoutMs: 0 });
    for (const r of responses) {
      if (typeof r.value === 'string') result.values.push(r.value);
      if (typeof r.out === 'string') result.out += r.out;
      if (typeof r.err === 'string') result.err += r.err;
    }
    if (responses.some((r) => hasStatus(r, 'eval-error'))) result.error = String(responses.find((r) => typeof r.ex === 'string')?.ex ?? 'eval-error');
  } catch (err) {
    result.unreachable = true;
    result.error = (err as Error).message;
  } finally {
    void client.end().catch(() => {});
  }
  return result;
}

/** Prefixes every line of `text` with `label`. Pure. */
export function labelLines(label: string, text: string): string {
  return text.replace(/\n$/, '').split('\n').map((line) => `${label} ${line}\n`).join('');
}

/** Runs the evaluation in every selected process; resolves with the exit status. */
export async function multiEval(args: ParsedArgs, code: string, io: Io): Promise<number> {
  const { pids, byPid } = selectProcesses(args, listEntries(io.env));
  const results = await Promise.all(pids.map((pid) => evalIn(byPid.get(pid), pid, code)));
  let status: number = ExitCodes.OK;
  for (const r of results) {
    if (flag(args, 'json')) {
      io.stdout.write(jsonLine(r));
    } else {
      const label = `[pid ${r.pid}]`;
      if (r.out) io.stdout.write(labelLines(label, r.out));
      if (r.err) io.stderr.write(labelLines(label, r.err));
      for (const value of r.values) io.stdout.write(labelLines(label, value));
      if (r.unreachable) io.stderr.write(`${label} nrepl-ts: pid ${r.pid} ${r.error}\n`);
      else if (r.error && !r.err) io.stderr.write(`${label} nrepl-ts: evaluation failed: ${r.error}\n`);
    }
    if (r.unreachable) status = ExitCodes.USAGE;
    else if (r.error && status === ExitCodes.OK) status = ExitCodes.EVAL_ERROR;
  }
  return status;
}
