/**
 * Process hygiene for the whole suite. Every process a test starts runs in a
 * process group of its own (`detached: true`), so `killTree` ends the child
 * together with everything it started (npm's `sh -c`, the shell's node, a
 * forked worker) instead of orphaning them. Every process also inherits the
 * run's marker variable (set by test/global-setup.ts), by which the
 * suite-level teardown finds, kills and reports anything left behind.
 *
 * It does not decide when to kill: the spawning helpers do (after each test,
 * on a timeout, in afterAll).
 */
import type { ChildProcess } from 'node:child_process';

/** Environment variable holding this test run's random id, inherited by every process the tests start. */
export const TEST_RUN_VAR = 'NREPL_TS_TEST_RUN';

/** Spread into spawn() options: the child leads a new process group, which `killTree` can signal as a whole. */
export const OWN_GROUP = { detached: true } as const;

/**
 * Sends `signal` to the child's whole process group (also when the child
 * itself already exited but its descendants did not), then to the child.
 * Never throws.
 */
export function killTree(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (proc.pid === undefined) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // ESRCH: the group is gone, nothing left to end.
  }
  try {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  } catch {
    // Already reaped.
  }
}
