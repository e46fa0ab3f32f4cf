/**
 * The main-thread gate: the only agent code that runs while the host starts.
 * It decides whether this process gets servers (process-rule.ts) and, if so,
 * starts the unref'd agent worker. Configuration, zod, cosmiconfig and
 * sockets all live in the worker. Everything past the decision (even
 * node:worker_threads, ~2 ms) is loaded only once the answer is yes, so a
 * disabled agent costs a module load and an env lookup.
 *
 * One agent per process: a `Symbol.for` key on globalThis guards against the
 * preload being loaded twice (NODE_OPTIONS `--require` plus CLI `--import`).
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { debug, say } from '../log';
import { envFlag } from '../env-flag';
import { decideStart } from './process-rule';
import type { WorkerBoot } from '../seam/channel';
import { HOST_HEAP_MB, newEvalFlag } from '../seam/eval-slots';
import type { WorkerLink } from './worker-link';

const AGENT_KEY = Symbol.for('nrepl-ts.agent');
/** Set in process.env by a process that runs the agent, so its node children know they are descendants. */
export const AGENT_PID_VAR = 'NREPL_TS_AGENT_PID';
const STRICT_WAIT_MS = 15_000;

interface AgentSlot {
  /** The running agent's WorkerLink. Named `host` because other copies of nrepl-ts loaded into the same process (other versions too) look for it under this name. */
  host?: WorkerLink;
}

function slot(): AgentSlot {
  const g = globalThis as unknown as Record<symbol, AgentSlot | undefined>;
  return (g[AGENT_KEY] ??= {});
}

function entryScript(): string | undefined {
  const script = process.argv[1];
  if (!script) return undefined;
  try {
    return realpathSync(script);
  } catch {
    return script;
  }
}

let ownFiles: string[] | undefined;

/** Real paths of this package's preload entries: register.js at the root and dist/register.js beside this file's folder. */
function ownRegisterFiles(): string[] {
  if (!ownFiles) {
    ownFiles = [];
    for (const file of [join(__dirname, '..', '..', 'register.js'), join(__dirname, '..', 'register.js')]) {
      try {
        ownFiles.push(realpathSync(file));
      } catch {
        // Not there (e.g. running from src/ under a TS loader): nothing to match.
      }
    }
  }
  return ownFiles;
}

/** Preload entry: decide, then start the agent with configured servers. Never throws to the host. */
export function startFromPreload(): void {
  const agent = slot();
  if (agent.host || (agent as { decided?: boolean }).decided) return;
  (agent as { decided?: boolean }).decided = true;
  if (envFlag(process.env.NREPL_DISABLE)) return debug(`pid ${process.pid}: agent not starting: NREPL_DISABLE is set`);
  const { isMainThread } = require('node:worker_threads') as typeof import('node:worker_threads');
  if (!isMainThread) return; // workers never start servers
  const ownPreload = { files: ownRegisterFiles, cwd: process.cwd(), realpath: realpathSync };
  const decision = decideStart({ isMainThread, env: process.env, execArgv: process.execArgv, entryScript, ownPreload });
  // The reason names how the preload came unless only NODE_OPTIONS can have brought it (a skip-pattern verdict).
  const via = /preload|NODE_OPTIONS/.test(decision.reason) ? '' : ` (preload via ${decision.via})`;
  debug(`pid ${process.pid}: agent ${decision.start ? 'starting' : 'not starting'}: ${decision.reason}${via}`);
  if (!decision.start) return;
  const marker = process.env[AGENT_PID_VAR];
  const descendant = marker !== undefined && marker !== String(process.pid);
  process.env[AGENT_PID_VAR] = String(process.pid);
  const strict = envFlag(process.env.NREPL_STRICT);
  const strictFlag = strict ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  const { holdReason, HOLD_LIMIT_MS } = require('./hold-hint') as typeof import('./hold-hint');
  const hold = holdReason(process.env, process.cwd());
  debug(hold ? `${hold} sets a daemon option to false: holding the process up to ${HOLD_LIMIT_MS} ms until the agent has read the config` : 'no daemon option set to false in the config sources: the process is not held');
  const { installExitReport, newReportFlag } = require('./exit-report') as typeof import('./exit-report');
  const reportFlag = newReportFlag();
  const link = launch({ mode: 'preload', cwd: process.cwd(), descendant, strictFlag, reportFlag, evalFlag: newEvalFlag() }, hold ? HOLD_LIMIT_MS : 0);
  // A process that exits before the worker read the config still hears about its errors.
  installExitReport(reportFlag, process.cwd(), () => link.stopWorker());
  if (strictFlag) waitForStrictVerdict(strictFlag);
}

/** Returns the running agent, starting one in API mode (no configured servers) if needed. */
export function ensureAgent(): WorkerLink {
  const agent = slot();
  if (agent.host) return agent.host;
  const { isMainThread } = require('node:worker_threads') as typeof import('node:worker_threads');
  if (!isMainThread) {
    throw new Error('nrepl-ts: servers can only be started from the main thread');
  }
  return launch({ mode: 'api', cwd: process.cwd(), descendant: false, evalFlag: newEvalFlag() });
}


function launch(boot: WorkerBoot, holdMs = 0): WorkerLink {
  const env = { ...process.env };
  // Our preload must not load again inside our own worker.
  delete env.NODE_OPTIONS;
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { WorkerLink } = require('./worker-link') as typeof import('./worker-link');
  const { oldGenerationLimitMb, workerHeapMb } = require('./worker-limits') as typeof import('./worker-limits');
  const { getHeapStatistics } = require('node:v8') as typeof import('node:v8');
  const hostHeapMb = oldGenerationLimitMb(getHeapStatistics().heap_size_limit);
  // The heap guard (worker/nrepl/heap-guard.ts) reads the host's limit here.
  Atomics.store(boot.evalFlag, HOST_HEAP_MB, hostHeapMb);
  const heap = workerHeapMb(process.env, hostHeapMb);
  if (heap.problem) say(heap.problem);
  const worker = new Worker(join(__dirname, '..', 'worker', 'main.js'), {
    // How the host was started: describe's app name, and the worker's choice of eval language (worker/eval/language.ts).
    workerData: { ...boot, mainScript: process.argv[1], runtime: { execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, main: process.argv[1] } },
    execArgv: [],
    env,
    name: 'nrepl-ts agent',
    stdout: false,
    stderr: false,
    // With a bound, V8 running out of heap in the worker ends the worker only; without one it aborts the process.
    resourceLimits: { maxOldGenerationSizeMb: heap.mb },
  });
  const link = new WorkerLink(worker, boot.evalFlag, holdMs, heap.mb);
  slot().host = link;
  return link;
}

function waitForStrictVerdict(flag: Int32Array): void {
  // Blocks the host's start on purpose: NREPL_STRICT asks for config errors to be fatal before the app runs.
  const outcome = Atomics.wait(flag, 0, 0, STRICT_WAIT_MS);
  if (outcome === 'timed-out') {
    say(`NREPL_STRICT: the agent did not report within ${STRICT_WAIT_MS} ms; continuing without the verdict`);
    return;
  }
  if (Atomics.load(flag, 0) === 2) {
    say('NREPL_STRICT is set: the problems above are fatal; exiting before the app starts (unset NREPL_STRICT to let the app run anyway)');
    process.exit(1);
  }
}
