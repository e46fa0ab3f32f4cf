/**
 * Suite-level process check (vitest globalSetup). Setup gives the run a random
 * id in TEST_RUN_VAR, which the pool workers and every process the tests start
 * inherit. Teardown scans /proc for processes still carrying that id, kills
 * them and fails the run (non-zero exit, the list on stderr): a test that
 * leaves a process behind fails here even when all its assertions passed.
 *
 * Skipped: vitest itself (this process, whose environ predates the id, and its
 * direct children: the pool workers). Other users' processes are unreadable
 * and other runs carry other ids. Linux only (/proc); elsewhere the check is off.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { TEST_RUN_VAR } from './helpers/processes';

interface Leftover {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Processes carrying `id` in their environment, other than vitest's own. */
function carrying(id: string): Leftover[] {
  const mark = `${TEST_RUN_VAR}=${id}`;
  const found: Leftover[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // Fields after the command name in parentheses (which may hold spaces): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, ppid, cmdline });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

let runId = '';

export function setup(): void {
  runId = randomUUID();
  process.env[TEST_RUN_VAR] = runId;
}

export async function teardown(): Promise<void> {
  if (carrying(runId).length === 0) return;
  // A SIGKILL sent by the last test's cleanup may still be landing: look again before blaming anyone.
  await new Promise((r) => setTimeout(r, 500));
  const left = carrying(runId);
  if (left.length === 0) return;
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const list = left.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.cmdline}`).join('\n');
  const message =
    `${left.length} process(es) started by the tests were still running after the suite (now killed):\n${list}\n` +
    'A test or helper left them behind: spawn with OWN_GROUP and end them with killTree() (test/helpers/processes.ts).';
  // vitest prints a teardown error ("error during close") but does not fail the run for it: set the exit code too.
  process.exitCode = 1;
  throw new Error(message);
}
