/**
 * Makes sure a configuration error is reported even by a process that exits
 * before the agent worker has read the configuration (`node -e …`, a CLI
 * that runs for 5 ms): the worker is unref'd, so without this the process
 * would end and the worker's report with it.
 *
 * On the main thread's 'exit', and only if the worker has not reported its
 * config verdict yet, it stops the worker (it has started no server yet, and
 * its remaining work would only slow the exit down), checks the
 * configuration synchronously on the main thread (config/quick-check.ts: no
 * zod, no cosmiconfig, a few small files) and prints the problems, the same
 * lines the worker would print. A shared flag decides who reports, so a line
 * is never printed twice. Only when a source needs its loader (a YAML or
 * JavaScript config file) does it wait for the worker instead, for at most
 * UNCHECKED_WAIT_MS.
 *
 * It costs nothing while the process runs (one 'exit' listener), nothing at
 * exit once the worker has reported, and nothing beyond a few existsSync
 * calls when no configuration exists. The cost for a valid configuration is
 * measured by bench/exit-report.mjs. It never changes the exit code and
 * never throws.
 */
import { debug, say } from '../log';

/** Longest wait at exit for the worker's verdict on a config the main thread cannot check (YAML/JS files), in ms. */
export const UNCHECKED_WAIT_MS = 500;
/** Longest wait at exit for the worker that has already begun printing its report, in ms. */
export const CLAIMED_WAIT_MS = 250;

/** reportFlag[0]: 0 while the worker has not reported the config, 1 after. */
export const REPORTED = 0;
/** reportFlag[1]: who prints the config problems: 0 nobody yet, 1 the worker, 2 the main thread at exit. */
export const CLAIM = 1;
export const CLAIM_WORKER = 1;
export const CLAIM_MAIN = 2;

/** A new flag for WorkerBoot.reportFlag. */
export function newReportFlag(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8));
}

/** Installs the 'exit' listener for a preload agent started in `cwd`; `stopWorker` ends the agent worker at once. */
export function installExitReport(flag: Int32Array, cwd: string, stopWorker: () => void): void {
  process.on('exit', () => {
    try {
      reportAtExit(flag, cwd, stopWorker);
    } catch {
      // Exit must go on whatever happens here.
    }
  });
}

function reportAtExit(flag: Int32Array, cwd: string, stopWorker: () => void): void {
  if (Atomics.load(flag, REPORTED) !== 0) return;
  const started = performance.now();
  const { configPresent } = require('../shared/config/presence') as typeof import('../shared/config/presence');
  const env = process.env;
  const loc = { env, cwd, home: env.HOME ?? env.USERPROFILE ?? '' };
  if (!configPresent(loc)) return; // The default server only: nothing to get wrong.
  const { loaderFile, quickCheck } = require('../shared/config/quick-check') as typeof import('../shared/config/quick-check');
  const needsLoader = loaderFile(cwd);
  if (needsLoader !== undefined) {
    const outcome = Atomics.wait(flag, REPORTED, 0, UNCHECKED_WAIT_MS);
    if (outcome === 'timed-out') {
      say(`the process exited before the agent had read ${needsLoader}; waited ${UNCHECKED_WAIT_MS} ms, so problems in it, if any, went unreported (check it with a process that runs longer)`);
    }
    return;
  }
  if (Atomics.compareExchange(flag, CLAIM, 0, CLAIM_MAIN) === CLAIM_WORKER) {
    // The worker got there first and is printing: let it finish.
    Atomics.wait(flag, REPORTED, 0, CLAIMED_WAIT_MS);
    return;
  }
  // Ours to report. The worker has started no server yet (it would have reported first), and its
  // remaining work would only lengthen the exit: stop it before checking.
  stopWorker();
  const verdict = quickCheck(loc);
  for (const line of verdict.lines) say(line);
  debug(`the process exited before the agent had read the config: checked it on the main thread in ${(performance.now() - started).toFixed(1)} ms (${verdict.lines.length} problem${verdict.lines.length === 1 ? '' : 's'})`);
}
