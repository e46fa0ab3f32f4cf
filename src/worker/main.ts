/**
 * The agent worker: owns configuration and every socket, so the host's main
 * thread pays almost nothing at start-up and servers keep answering while the
 * host is busy. Started (unref'd) by gate.ts; talks to the main thread only
 * through the messages in channel.ts.
 *
 * Nothing thrown here may reach the host: every failure becomes one stderr
 * line and the worker carries on.
 */
import { homedir } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { setHostRuntime } from './eval/language';
import { formatProblem, oneLine, ErrorCodes, NreplTsError } from '../errors';
import { debug, debugEnabled, say } from '../log';
import { ServerRegistry, type WorkerAccept } from './server/registry';
import type { ServerSpec } from '../shared/config/schema';
import type { ToHost, ToWorker, WorkerBoot } from '../seam/channel';
import { CLAIM, CLAIM_MAIN, CLAIM_WORKER, REPORTED } from '../seam/report-slots';
import { MainThreadLink } from './main-thread-link';
import type { WorkerAcceptName } from './server/resolve-accept';
import { Registration, registrationWanted } from './server/registration';
import { PROCESS_SOCKET_SERVER } from '../shared/process-dir';

const boot = workerData as WorkerBoot;
setHostRuntime(boot.runtime);
const port = parentPort!;
const post = (message: ToHost, transfer?: ArrayBuffer[]): void => {
  port.postMessage(message, transfer);
  registration?.observe(message);
};
const mainThread = new MainThreadLink(post, boot.evalFlag);

process.on('uncaughtException', (err) => say(`${ErrorCodes.INTERNAL}: agent worker: ${oneLine(err)} (please report this)`));
process.on('unhandledRejection', (err) => say(`${ErrorCodes.INTERNAL}: agent worker: ${oneLine(err)} (please report this)`));

async function loadWorkerAccept(name: WorkerAcceptName): Promise<WorkerAccept> {
  // Loaded on the first connection, not at start: an agent nobody talks to never compiles or
  // holds the protocol (for nREPL: bencode, the ops, the eval transform, about 30 modules),
  // which is most of its idle memory and start-up CPU. A REPL-only agent never loads bencode.
  const create = async (): Promise<WorkerAccept> => {
    if (name === 'nrepl') return (require('./nrepl/accept') as typeof import('./nrepl/accept')).createNreplAccept(mainThread, boot.evalFlag);
    if (name === 'prepl') return (require('./prepl/accept') as typeof import('./prepl/accept')).createPreplAccept(mainThread, boot.evalFlag);
    return (require('./repl/accept') as typeof import('./repl/accept')).createReplAccept(mainThread, boot.evalFlag);
  };
  let accept: WorkerAccept | undefined;
  let loading: Promise<WorkerAccept> | undefined;
  return (connection) => {
    if (accept) return accept(connection);
    // Connections that come while it loads wait, unread (the registry reads them once this resolves), in order.
    // A failed load is not kept: the next connection tries again.
    loading ??= create().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading.then((ready) => {
      accept = ready;
      // One that left meanwhile is let go.
      if (!connection.socket.destroyed) return ready(connection);
    });
  };
}

const registry = new ServerRegistry(post, boot.cwd, loadWorkerAccept);
// Every agent process is listed and reachable by pid (registration.ts), unless NREPL_REGISTRY=off.
const registration = registrationWanted(process.env)
  ? new Registration(registry, post, boot.cwd, boot.descendant ? process.ppid : undefined)
  : undefined;

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
        mainThread.receive(message);
        break;
      case 'valuePiece':
        mainThread.receivePiece(message);
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
    // The API sees the servers the user configured or started: the process list's own socket is the agent's.
    else if (message.op === 'stopAll') value = await registry.stopAll((name) => name !== PROCESS_SOCKET_SERVER);
    else value = registry.list().filter((s) => s.name !== PROCESS_SOCKET_SERVER);
    post({ t: 'reply', rid: message.rid, ok: true, value });
  } catch (err) {
    const code = err instanceof NreplTsError ? err.code : ErrorCodes.INTERNAL;
    post({ t: 'reply', rid: message.rid, ok: false, error: { code, message: oneLine(err) } });
  }
}

/** Every field of an API spec comes from the caller's code. */
const API_SOURCES: Readonly<Record<string, string>> = { 'port-file': 'startServer()' };

async function validateApiSpec(raw: unknown): Promise<ServerSpec> {
  const { validateServer } = require('../shared/config/load') as typeof import('../shared/config/load');
  const { verifySpec } = require('../shared/config/schema') as typeof import('../shared/config/schema');
  const result = validateServer(raw, { source: 'startServer()', baseDir: boot.cwd, verify: verifySpec });
  if (!result.ok) {
    throw new NreplTsError(result.problems[0]?.code ?? ErrorCodes.CONFIG_INVALID, result.problems.map(formatProblem).join('; '));
  }
  return result.spec;
}

/** The implicit nREPL server started when nothing is configured (none in descendants of an agent process). */
function defaultServers(): ServerSpec[] {
  if (boot.descendant) {
    debug('a parent process runs the agent: no default nREPL server here (configure one explicitly to get one)');
    return [];
  }
  const { defaultNreplServer } = require('../shared/config/default-server') as typeof import('../shared/config/default-server');
  return [defaultNreplServer(boot.cwd)];
}

/** True when this worker prints the config problems; false when the main thread claimed them at exit. */
function claimReport(): boolean {
  return !boot.reportFlag || Atomics.compareExchange(boot.reportFlag, CLAIM, 0, CLAIM_WORKER) !== CLAIM_MAIN;
}

/** Tells the main thread's exit check (exit-report.ts) that the config is reported. */
function configReported(): void {
  if (!boot.reportFlag) return;
  Atomics.store(boot.reportFlag, REPORTED, 1);
  Atomics.notify(boot.reportFlag, REPORTED);
}

/**
 * Whether this exact configuration was found valid before (shared/config/verdicts.ts), and a
 * way to record that it is. A file may change while it is read, so the verdict is recorded
 * only when the inputs' fingerprint is the same after the load as before it; a JavaScript
 * config computes its result, so it is never known nor recorded.
 */
function verdictFor(): { home: string; valid: boolean; remember: () => void } {
  const { cacheable, configDigest, knownValid, rememberValid } = require('../shared/config/verdicts') as typeof import('../shared/config/verdicts');
  const { loaderFile } = require('../shared/config/project-rc') as typeof import('../shared/config/project-rc');
  // The home loadConfig reads from, so the fingerprint covers the user nrepl.edn it reads.
  const loc = { env: process.env, cwd: boot.cwd, home: homedir() };
  const digest = cacheable(loaderFile(boot.cwd)) ? configDigest(loc) : undefined;
  // Only the worker's own full check answers for zod: the exit check's verdicts are the rules' alone.
  const valid = digest !== undefined && knownValid(digest, 'full');
  if (valid) debug('config: found valid before (the same sources and agent build): zod\'s check of the built specs skipped');
  return {
    home: loc.home,
    valid,
    remember: () => {
      if (digest !== undefined && configDigest(loc) === digest) rememberValid(digest, 'full');
    },
  };
}

async function startConfiguredServers(): Promise<void> {
  const failures: string[] = [];
  try {
    let specs: ServerSpec[];
    let origins: Record<string, Record<string, string>> = {};
    const { configPresent } = require('../shared/config/presence') as typeof import('../shared/config/presence');
    const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
    if (!configPresent({ env: process.env, cwd: boot.cwd, home })) {
      // Nothing configured: the default server, without loading zod and cosmiconfig at all.
      debug('config: none found (no NREPL_SERVER_* variables, no config files)');
      specs = defaultServers();
      configReported();
    } else {
      const { loadConfig, describeConfig } = require('../shared/config/load') as typeof import('../shared/config/load');
      const known = verdictFor();
      const verify = known.valid ? undefined : (require('../shared/config/schema') as typeof import('../shared/config/schema')).verifySpec;
      const config = await loadConfig({ env: process.env, cwd: boot.cwd, home: known.home, verify });
      if (config.problems.length === 0 && !known.valid) known.remember();
      // One ordered NREPL_DEBUG report: sources read, the problems, what became of each server, the effective config.
      const serverNote = (note: string): boolean => note.startsWith('server "');
      for (const note of config.notes.filter((n) => !serverNote(n))) debug(`config: ${note}`);
      // The main thread may have reported these at exit already (exit-report.ts): never twice.
      const mine = claimReport();
      for (const problem of config.problems) {
        const line = formatProblem(problem);
        failures.push(line);
        if (mine) say(line);
      }
      configReported();
      if (debugEnabled()) {
        for (const note of config.notes.filter(serverNote)) debug(`config: ${note}`);
        for (const line of describeConfig(config)) debug(`effective config: ${line}`);
      }
      specs = config.explicit ? config.servers : defaultServers();
      origins = config.origins;
    }
    // In sequence, like clojure.core.server: start-up lines come out in config order.
    for (const configured of specs) {
      // Only the top agent process writes .nrepl-port by default: its children must not race it for the file.
      const spec = boot.descendant && configured['port-file'] === undefined ? { ...configured, 'port-file': false as const } : configured;
      try {
        await registry.start(spec, Object.hasOwn(origins, spec.name) ? origins[spec.name] : {});
      } catch (err) {
        const line = err instanceof NreplTsError ? `nrepl-ts: ${err.message}` : `nrepl-ts: server ${spec.name}: ${oneLine(err)}`;
        failures.push(line);
        say(line);
      }
    }
  } catch (err) {
    configReported();
    const line = `nrepl-ts: ${ErrorCodes.INTERNAL}: could not start servers: ${oneLine(err)}`;
    failures.push(line);
    say(line);
  }
  const running = registry.list();
  debug(`ready: ${running.length === 0 ? 'no server running' : running.map((info) => `${info.name} (${info.accept}) on ${info.socket ?? `${info.host}:${info.port}`}`).join(', ')}`);
  post({ t: 'ready', servers: running, problems: failures });
  if (boot.strictFlag) {
    Atomics.store(boot.strictFlag, 0, failures.length === 0 ? 1 : 2);
    Atomics.notify(boot.strictFlag, 0);
  }
}

if (boot.mode === 'preload') void startConfiguredServers().then(() => registration?.start());
else {
  post({ t: 'ready', servers: [], problems: [] });
  void registration?.start();
}
