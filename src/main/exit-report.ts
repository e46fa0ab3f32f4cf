/**
 * Makes sure a configuration error is reported even by a process that exits
 * before the agent worker has read the configuration (`node -e …`, a CLI
 * that runs for 5 ms): the worker is unref'd, so without this the process
 * would end and the worker's report with it.
 *
 * On the main thread's 'exit', and only if the worker has not reported its
 * config verdict yet, it stops the worker first (it has started no server
 * yet, and every millisecond it goes on booting is one more the exit waits
 * for it to stop), checks the configuration synchronously on the main thread
 * (config/quick-check.ts: no zod, no cosmiconfig, a few small files) and
 * prints the problems, the same lines the worker would print. A shared flag
 * (seam/report-slots.ts) decides who reports, so a line is never printed
 * twice. Only when a source needs its loader (a YAML or JavaScript config
 * file) does it wait for the worker instead, for at most UNCHECKED_WAIT_MS.
 * A configuration found valid before (shared/config/verdicts.ts) is neither checked
 * nor waited for again.
 *
 * It costs nothing while the process runs (one 'exit' listener), nothing at
 * exit once the worker has reported, and nothing beyond a few existsSync
 * calls when no configuration exists. The cost for a valid configuration is
 * measured by bench/exit-report.mjs. It never changes the exit code and
 * never throws.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FileLocations } from '../shared/config/places';
import { debug, say } from '../log';
import { CLAIM, CLAIM_MAIN, CLAIM_WORKER, REPORTED } from '../seam/report-slots';

/** Longest wait at exit for the worker's verdict on a config the main thread cannot check (YAML/JS files), in ms. */
export const UNCHECKED_WAIT_MS = 500;
/** Longest wait at exit for the worker that has already begun printing its report, in ms. */
export const CLAIMED_WAIT_MS = 250;

export { newReportFlag } from '../seam/report-slots';

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
  const { LOADER_PLACES } = require('../shared/config/places') as typeof import('../shared/config/places');
  if (!LOADER_PLACES.some((place) => existsSync(resolve(cwd, place)))) {
    // No file needs the worker's loader, so the worker is not needed: stop it first. Every
    // millisecond it goes on booting (loading zod, say) is one more the exit waits for it to stop.
    if (!claimReport(flag)) return;
    stopWorker();
    checkOnMainThread(cwd, started);
    return;
  }
  const { configPresent } = require('../shared/config/presence') as typeof import('../shared/config/presence');
  const loc = locations(cwd);
  if (!configPresent(loc)) return;
  const { loaderFile } = require('../shared/config/project-rc') as typeof import('../shared/config/project-rc');
  const verdicts = require('../shared/config/verdicts') as typeof import('../shared/config/verdicts');
  const needsLoader = loaderFile(cwd);
  if (needsLoader === undefined) {
    // An empty .nreplrc, say: the main thread can check everything after all.
    if (!claimReport(flag)) return;
    stopWorker();
    checkOnMainThread(cwd, started);
    return;
  }
  // Only the worker's loader can judge this file: wait for its verdict, unless it was clean before
  // (the worker remembers a clean one itself, before it reports).
  const digest = verdicts.cacheable(needsLoader) ? verdicts.configDigest(loc) : undefined;
  if (digest !== undefined && verdicts.knownValid(digest, 'rules')) {
    if (claimReport(flag)) stopWorker();
    debug(`the process exited before the agent had read ${needsLoader}: found valid before (${(performance.now() - started).toFixed(1)} ms)`);
    return;
  }
  const outcome = Atomics.wait(flag, REPORTED, 0, UNCHECKED_WAIT_MS);
  if (outcome === 'timed-out') {
    say(`the process exited before the agent had read ${needsLoader}; waited ${UNCHECKED_WAIT_MS} ms, so problems in it, if any, went unreported (check it with a process that runs longer)`);
  }
}

function locations(cwd: string): FileLocations {
  const env = process.env;
  return { env, cwd, home: env.HOME ?? env.USERPROFILE ?? '' };
}

/** Takes the report for the main thread; false when the worker is printing it (then it is given time to finish). */
function claimReport(flag: Int32Array): boolean {
  if (Atomics.compareExchange(flag, CLAIM, 0, CLAIM_MAIN) !== CLAIM_WORKER) return true;
  Atomics.wait(flag, REPORTED, 0, CLAIMED_WAIT_MS);
  return false;
}

/** The check itself, the worker stopped: skipped for a config found valid before, else run and printed. */
function checkOnMainThread(cwd: string, started: number): void {
  const loc = locations(cwd);
  const { configPresent } = require('../shared/config/presence') as typeof import('../shared/config/presence');
  if (!configPresent(loc)) return; // The default server only: nothing to get wrong.
  const verdicts = require('../shared/config/verdicts') as typeof import('../shared/config/verdicts');
  const digest = verdicts.configDigest(loc);
  if (digest !== undefined && verdicts.knownValid(digest, 'rules')) {
    debug(`the process exited before the agent had read the config: found valid before (${(performance.now() - started).toFixed(1)} ms)`);
    return;
  }
  const { quickCheck } = require('../shared/config/quick-check') as typeof import('../shared/config/quick-check');
  const verdict = quickCheck(loc);
  for (const line of verdict.lines) say(line);
  // A file only the loader could word (a broken .nreplrc.json, a folder named package.json): said, not guessed at.
  for (const file of verdict.unchecked) say(`the process exited before the agent had read ${file}, so problems in it, if any, went unreported (check it with a process that runs longer)`);
  if (digest !== undefined && verdict.lines.length === 0 && verdict.unchecked.length === 0) verdicts.rememberValid(digest, 'rules');
  debug(`the process exited before the agent had read the config: checked it on the main thread in ${(performance.now() - started).toFixed(1)} ms (${verdict.lines.length} problem${verdict.lines.length === 1 ? '' : 's'})`);
}
