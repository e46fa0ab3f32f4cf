/**
 * The second shared Int32Array (WorkerBoot.reportFlag): how the worker and
 * the main thread's exit check (main/exit-report.ts) agree on who reports the
 * configuration's problems, so a line is printed exactly once even when the
 * process exits while the worker is still reading the config.
 *
 * - REPORTED: 0 while the worker has not reported the config, 1 after
 *   (Atomics.notify'd, so the exit check can wait on it).
 * - CLAIM: who prints the problems: 0 nobody yet, CLAIM_WORKER or CLAIM_MAIN,
 *   taken with compareExchange.
 *
 * A config the worker found valid it remembers itself, before REPORTED
 * (shared/config/verdicts.ts), so the exit check skips the wait next time.
 */

export const REPORTED = 0;
export const CLAIM = 1;
export const CLAIM_WORKER = 1;
export const CLAIM_MAIN = 2;

/** A new flag for WorkerBoot.reportFlag. */
export function newReportFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * 4));
}
