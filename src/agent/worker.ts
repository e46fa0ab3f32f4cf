/**
 * The agent worker: owns configuration and every socket, so the host's main
 * thread pays almost nothing at start-up and servers keep answering while the
 * host is busy. Started (unref'd) by gate.ts; talks to the main thread only
 * through the messages in channel.ts.
 *
 * Nothing thrown here may reach the host: every failure becomes one stderr
 * line and the worker carries on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setHostRuntime } from '../eval/language';
import { formatProblem, oneLine, ErrorCodes, NreplTsError } from '../errors';
import { debug, debugEnabled, say } from '../log';
import { ServerRegistry, type RunSpec, type WorkerAccept } from '../server/registry';
import type { ToHost, ToWorker, WorkerBoot } from './channel';
import { HostLink } from './host-link';
import type { WorkerAcceptName } from '../accept/resolve';

const boot = workerData as WorkerBoot;
setHostRuntime(boot.runtime);
const port = parentPort!;
const post = (message: ToHost): void => port.postMessage(message);
const hostLink = new HostLink(post, boot.evalFlag);

process.on('uncaughtException', (err) => say(`${ErrorCodes.INTERNAL}: agent worker: ${oneLine(err)} (please report this)`));
process.on('unhandledRejection', (err) => say(`${ErrorCodes.INTERNAL}: agent worker: ${oneLine(err)} (please report this)`));

async function loadWorkerAccept(name: WorkerAcceptName): Promise<WorkerAccept> {
  // Loaded on first use: a REPL-only agent never loads bencode, a prepl-only one no nREPL ops.
  if (name === 'nrepl') return (require('../accept/nrepl') as typeof import('../accept/nrepl')).createNreplAccept(hostLink, boot.evalFlag);
  if (name === 'prepl') return (require('../accept/prepl') as typeof import('../accept/prepl')).createPreplAccept(hostLink, boot.evalFlag);
  return (require('../accept/repl') as typeof import('../accept/repl')).createReplAccept(hostLink, boot.evalFlag);
}

const registry = new ServerRegistry(post, boot.cwd, loadWorkerAccept);

port.on('message', (message: ToWorker) => {
  try {
    switch (message.t) {
      case 'write':
        registry.bridge.write(message.conn, message.chunk);
        break;
      case 'close':
        registry.bridge.close(message.conn);
        break;
      case 'input-full':
        registry.bridge.inputFull(message.conn, message.full);
        break;
      case 'api':
        void answerApi(message);
        break;
      case 'evalReply':
        hostLink.receive(message);
        break;
    }
  } catch (err) {
    say(`${ErrorCodes.INTERNAL}: agent worker: ${oneLine(err)}`);
  }
});

async function answerApi(message: Extract<ToWorker, { t: 'api' }>): Promise<void> {
  try {
    let value: unknown;
    if (message.op === 'start') value = await registry.start(await validateApiSpec(message.spec), API_SOURCES);
    else if (message.op === 'stop') value = await registry.stop(message.name);
    else if (message.op === 'stopAll') value = await registry.stopAll();
    else value = registry.list();
    post({ t: 'reply', rid: message.rid, ok: true, value });
  } catch (err) {
    const code = err instanceof NreplTsError ? err.code : ErrorCodes.INTERNAL;
    post({ t: 'reply', rid: message.rid, ok: false, error: { code, message: oneLine(err) } });
  }
}

/** Every field of an API spec comes from the caller's code. */
const API_SOURCES: Readonly<Record<string, string>> = { 'port-file': 'startServer()' };

async function validateApiSpec(raw: unknown): Promise<RunSpec> {
  const { validateServer } = require('../config/load') as typeof import('../config/load');
  const result = validateServer(raw, { source: 'startServer()', baseDir: boot.cwd });
  if (!result.ok) {
    throw new NreplTsError(result.problems[0]?.code ?? ErrorCodes.CONFIG_INVALID, result.problems.map(formatProblem).join('; '));
  }
  return result.spec;
}

/** The implicit nREPL server started when nothing is configured (none in descendants of an agent process). */
function defaultServers(): RunSpec[] {
  if (boot.descendant) {
    debug('a parent process runs the agent: no default nREPL server here (configure one explicitly to get one)');
    return [];
  }
  const { defaultNreplServer } = require('../config/defaults') as typeof import('../config/defaults');
  return [defaultNreplServer(boot.cwd)];
}

async function startConfiguredServers(): Promise<void> {
  const failures: string[] = [];
  try {
    let specs: RunSpec[];
    let origins: Record<string, Record<string, string>> = {};
    const { configPresent } = require('../config/presence') as typeof import('../config/presence');
    const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
    if (!configPresent({ env: process.env, cwd: boot.cwd, home })) {
      // Nothing configured: the default server, without loading zod and cosmiconfig at all.
      debug('no configuration found (no NREPL_SERVER_* variables, no config files)');
      specs = defaultServers();
    } else {
      const { loadConfig, describeConfig } = require('../config/load') as typeof import('../config/load');
      const config = await loadConfig({ env: process.env, cwd: boot.cwd });
      for (const problem of config.problems) {
        const line = formatProblem(problem);
        failures.push(line);
        say(line);
      }
      if (debugEnabled()) {
        for (const line of describeConfig(config)) debug(line);
        for (const note of config.notes) debug(note);
      }
      specs = config.explicit ? config.servers : defaultServers();
      origins = config.origins;
    }
    // In sequence, like clojure.core.server: start-up lines come out in config order.
    for (const spec of specs) {
      try {
        await registry.start(spec, Object.hasOwn(origins, spec.name) ? origins[spec.name] : {});
      } catch (err) {
        const line = err instanceof NreplTsError ? `nrepl-ts: ${err.message}` : `nrepl-ts: server ${spec.name}: ${oneLine(err)}`;
        failures.push(line);
        say(line);
      }
    }
  } catch (err) {
    const line = `nrepl-ts: ${ErrorCodes.INTERNAL}: could not start servers: ${oneLine(err)}`;
    failures.push(line);
    say(line);
  }
  post({ t: 'ready', servers: registry.list(), problems: failures });
  if (boot.strictFlag) {
    Atomics.store(boot.strictFlag, 0, failures.length === 0 ? 1 : 2);
    Atomics.notify(boot.strictFlag, 0);
  }
}

if (boot.mode === 'preload') void startConfiguredServers();
else post({ t: 'ready', servers: [], problems: [] });
