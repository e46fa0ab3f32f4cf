/**
 * Self-registration, in the agent worker: every agent process (the top one,
 * each cluster worker, each forked child, a process attached to later) gets
 * an owner-only nREPL socket `<pid>.sock` and an entry `<pid>.json` in the
 * per-user folder (process-dir.ts), so `nrepl-ts ps` lists it and
 * `--pid PID` reaches it without a port: no port to collide on, no
 * `.nrepl-port` to race for.
 *
 * The entry is rewritten (to a temporary name, then renamed) whenever a
 * server starts or stops. The main thread removes it at exit; after a
 * SIGKILL the readers drop it, since its pid is dead or its start time no
 * longer matches (cli/processes.ts) — no watchdog process is spent on it.
 *
 * Nothing here may harm the host: every failure is one debug line and the
 * process simply stays unlisted. It does not start configured servers or
 * print start-up lines.
 */
import { closeSync, fchmodSync, fstatSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { CleanupFile, ServerInfo, ToHost } from '../../seam/channel';
import { envFlag } from '../../env-flag';
import { debug } from '../../log';
import { defaultNreplServer } from '../../shared/config/default-server';
import { ensureProcessDir, entryPath, procStartTicks, PROCESS_SOCKET_SERVER, REGISTRY_VAR, socketPath, type ProcessEntry } from '../../shared/process-dir';
import type { ServerRegistry } from './registry';
import type { ServerSpec } from '../../shared/config/schema';

/** The registry name of the per-process socket server; start-up lines leave it out. */
export { PROCESS_SOCKET_SERVER };

/** True unless NREPL_REGISTRY is set to an off value (0, false, off, no). */
export function registrationWanted(env: NodeJS.ProcessEnv): boolean {
  const value = env[REGISTRY_VAR];
  return value === undefined || value === '' || envFlag(value);
}

/** The main thread's command line: this code runs in the worker, whose process.argv names worker.js. */
function commandLine(): string[] {
  try {
    const args = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter((a) => a !== '');
    if (args.length > 0) return args;
  } catch {
    // No /proc: the best this thread knows.
  }
  return [process.execPath];
}

/** Registers this process; `post` reaches the main thread (for the exit cleanup). */
export class Registration {
  private dir: string | undefined;
  private file: CleanupFile | undefined;
  private socket: string | undefined;
  private readonly started = new Date(Date.now() - process.uptime() * 1000).toISOString();

  constructor(
    private readonly registry: ServerRegistry,
    private readonly post: (m: ToHost) => void,
    private readonly cwd: string,
    private readonly agentParent: number | undefined,
  ) {}

  /** Creates the folder, starts the socket server, writes the entry. Never throws. */
  async start(): Promise<void> {
    try {
      this.dir = ensureProcessDir();
    } catch (err) {
      debug(`not registered in the process list: ${(err as Error).message}`);
      return;
    }
    const path = socketPath(this.dir, process.pid);
    const spec: ServerSpec = { ...defaultNreplServer(this.cwd), name: PROCESS_SOCKET_SERVER, port: undefined, socket: path, 'port-file': false };
    try {
      await this.registry.start(spec);
      this.socket = path;
    } catch (err) {
      debug(`no per-process socket: ${(err as Error).message}`);
    }
    this.write();
  }

  /** Called with every message the worker posts: server changes rewrite the entry. */
  observe(message: ToHost): void {
    if (this.dir !== undefined && (message.t === 'listening' || message.t === 'stopped')) this.write();
  }

  private entry(): ProcessEntry {
    const servers = this.registry.list().map((s: ServerInfo) => ({ name: s.name, accept: s.accept, url: s.url }));
    const entry: ProcessEntry = {
      pid: process.pid,
      ppid: process.ppid,
      argv: commandLine(),
      cwd: this.cwd,
      started: this.started,
      node: process.version,
      servers,
    };
    const ticks = procStartTicks('self');
    if (ticks !== undefined) entry.startTicks = ticks;
    if (this.agentParent !== undefined) entry.agentParent = this.agentParent;
    if (this.socket !== undefined) entry.socket = this.socket;
    return entry;
  }

  private write(): void {
    const dir = this.dir!;
    const path = entryPath(dir, process.pid);
    const temporary = `${path}.${Date.now().toString(36)}.tmp`;
    try {
      const fd = openSync(temporary, 'wx', 0o600);
      let id: string;
      try {
        fchmodSync(fd, 0o600);
        writeSync(fd, `${JSON.stringify(this.entry())}\n`);
        const stat = fstatSync(fd, { bigint: true });
        id = `${stat.dev}:${stat.ino}`;
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, path);
      this.file = { path, id };
      this.post({ t: 'registered', file: this.file });
    } catch (err) {
      debug(`could not write ${path}: ${(err as Error).message}`);
      try {
        unlinkSync(temporary);
      } catch {
        // Never created, or already renamed.
      }
    }
  }
}
