/**
 * The worker's table of running servers, by name (clojure.core.server's
 * registry): start a validated spec, stop one, stop all, list. It binds
 * through listen.ts, writes port files, prints the one start-up line per
 * server, counts connections and client ids, and hands each accepted socket
 * to its accept handler — in the worker for protocol servers, or bridged to
 * the main thread for user accept functions.
 */
import type * as net from 'node:net';
import { resolve } from 'node:path';
import type { CleanupFile, ServerInfo, ToHost } from '../../seam/channel';
import { resolveAccept, type ResolvedAccept, type WorkerAcceptName } from './resolve-accept';
import { ErrorCodes, NreplTsError, oneLine } from '../../errors';
import { say } from '../../log';
import type { ServerSpec } from '../../shared/config/schema';
import { bind } from './listen';
import { removeCleanupFile, writePortFile, type Watchdog } from './port-file';
import { Bridge } from './bridge';
import { flowLimitsOf } from '../connection/socket-connection';
import { isLocalClient, judgePeer } from './peer-uid';
import { systemLookups } from '../connection/proc-net-tcp';
import { RateLimitedLog } from './rate-limit';

/** Refused connections are logged at most once per this interval per server and reason, plus a summary. */
export const REFUSAL_LOG_INTERVAL_MS = 10_000;


/** Context given to an accept handler that runs in the worker (nREPL, prepl). */
export interface WorkerConnection {
  socket: net.Socket;
  server: string;
  client: string;
  spec: ServerSpec;
}

/**
 * A protocol handler living in the worker. It attaches its listeners before
 * it returns, or before the promise it returns resolves; the socket is read
 * only then.
 */
export type WorkerAccept = (conn: WorkerConnection) => void | Promise<void>;

/** Loads the worker-side built-ins lazily, so a REPL-only agent never loads bencode. */
export type WorkerAcceptLoader = (name: WorkerAcceptName) => Promise<WorkerAccept>;

/** How long a client may wait for a free slot at max-connections before it is refused. */
const SLOT_WAIT_MS = 5_000;

interface Running {
  spec: ServerSpec;
  info: ServerInfo;
  server: net.Server;
  sockets: Set<net.Socket>;
  /** Verified clients waiting for a slot at max-connections, oldest first (waitForSlot). */
  waiting: Array<() => void>;
  /** Watchdogs of this server's files, released when it stops. */
  watchdogs: Watchdog[];
  /** The port file this server claimed in `writtenPortFiles`, if any. */
  portFile?: string;
}

/** The registry; one per worker. */
export class ServerRegistry {
  private readonly running = new Map<string, Running>();
  /** Accepted connections whose user is being checked (refusePeer), over all servers. */
  private verifying = 0;
  private readonly writtenPortFiles = new Set<string>();
  private keepalive = 0;
  private readonly refusals = new RateLimitedLog({ intervalMs: REFUSAL_LOG_INTERVAL_MS, write: (line) => say(line) });
  readonly bridge: Bridge;

  constructor(
    private readonly post: (m: ToHost) => void,
    private readonly cwd: string,
    private readonly loadWorkerAccept: WorkerAcceptLoader,
  ) {
    this.bridge = new Bridge(post);
  }

  /**
   * Starts a server; rejects with a one-line NreplTsError. `sources` (field →
   * env var, file or "default", from loadConfig) names where a refused field came from.
   */
  async start(spec: ServerSpec, sources: Readonly<Record<string, string>> = {}): Promise<ServerInfo> {
    if (this.running.has(spec.name)) {
      throw new NreplTsError(ErrorCodes.LISTEN, `server ${spec.name}: a server with this name is already running; stop it first or choose another name`, spec.name);
    }
    const accept = resolveAccept(spec.accept, spec.origin.baseDir);
    if ('error' in accept) throw new NreplTsError(ErrorCodes.ACCEPT, `server ${spec.name}: ${accept.error}`, spec.name);
    const workerAccept = accept.where === 'worker' ? await this.loadWorkerAccept(accept.name) : undefined;
    const sockets = new Set<net.Socket>();
    let nextClient = 0;
    const bound = await bind(spec, (socket) => {
      nextClient += 1;
      this.onSocket(spec, accept, workerAccept, socket, String(nextClient), sockets);
    });
    if (spec['server-daemon'] !== false) bound.server.unref();
    else this.adjustKeepalive(+1);
    const cleanup: CleanupFile[] = [];
    if (bound.socket) cleanup.push({ path: bound.socket, id: bound.socketId });
    const watchdogs = bound.watchdog ? [bound.watchdog] : [];
    const scheme = bound.tls ? 'nrepls' : 'nrepl';
    const hostInUrl = bound.host?.includes(':') ? `[${bound.host}]` : bound.host;
    const url = bound.socket ? `nrepl+unix:${bound.socket}` : `${scheme}://${hostInUrl}:${bound.port}`;
    const info: ServerInfo = { name: spec.name, accept: spec.accept, host: bound.host, port: bound.port, socket: bound.socket, url, tls: bound.tls, cleanup };
    const portFile = this.writePortFile(spec, info, watchdogs, sources['port-file']);
    this.running.set(spec.name, { spec, info, server: bound.server, sockets, waiting: [], watchdogs, portFile });
    this.announce(spec, info);
    this.post({ t: 'listening', info });
    return info;
  }

  /** Stops a server and closes its clients. Resolves false for an unknown name. */
  async stop(name: string): Promise<boolean> {
    const entry = this.running.get(name);
    if (!entry) return false;
    this.running.delete(name);
    for (const socket of entry.sockets) socket.destroy();
    await new Promise<void>((done) => entry.server.close(() => done()));
    for (const file of entry.info.cleanup) removeCleanupFile(file);
    // After the removal: a released watchdog checks identity, finds nothing of ours, and ends.
    for (const watchdog of entry.watchdogs) watchdog.release();
    // The file is free again: a server started later (even under the same name) writes it anew.
    if (entry.portFile !== undefined) this.writtenPortFiles.delete(entry.portFile);
    if (entry.spec['server-daemon'] === false) this.adjustKeepalive(-1);
    this.post({ t: 'stopped', name });
    return true;
  }

  /** Stops every server. */
  /** Stops every server (`which` picks them by name). */
  async stopAll(which: (name: string) => boolean = () => true): Promise<void> {
    await Promise.all([...this.running.keys()].filter(which).map((name) => this.stop(name)));
  }

  /** The running servers. */
  list(): ServerInfo[] {
    return [...this.running.values()].map((r) => r.info);
  }

  private announce(spec: ServerSpec, info: ServerInfo): void {
    // The per-process socket of the process list is found with `nrepl-ts ps`, not announced (registration.ts).
    if (spec.name === 'nrepl-ts/pid') return;
    // Every line names its process: a cluster's workers print theirs into one terminal.
    const pid = ` (pid ${process.pid})`;
    if (spec.accept === 'nrepl-ts/nrepl') {
      // The line CIDER and other tools parse (nREPL's convention; they read up to the URL), one write.
      const line = info.socket
        ? `nREPL server started on socket ${info.url}${pid}`
        : `nREPL server started on port ${info.port} on host ${info.host} - ${info.url}${pid}`;
      say(line, { raw: true });
    } else {
      say(`server ${spec.name} (${spec.accept}) listening on ${info.socket ?? `${info.host}:${info.port}`}${info.tls ? ' with TLS' : ''}${pid}`);
    }
  }

  /** Writes the port file if wanted and free; returns its path when this server now owns it. */
  private writePortFile(spec: ServerSpec, info: ServerInfo, watchdogs: Watchdog[], source = 'default'): string | undefined {
    const wanted = spec['port-file'] ?? spec.accept === 'nrepl-ts/nrepl';
    if (wanted === false || info.port === undefined) return undefined;
    const path = typeof wanted === 'string' ? resolve(spec.origin.baseDir, wanted) : resolve(this.cwd, '.nrepl-port');
    if (this.writtenPortFiles.has(path)) return undefined; // the first running nREPL server of this process owns the file
    try {
      const written = writePortFile(path, info.port);
      info.cleanup.push(written.file);
      watchdogs.push(written.watchdog);
      this.writtenPortFiles.add(path);
      return path;
    } catch (err) {
      // The server itself runs on; only the port file is missing.
      say(`server ${spec.name}: ${source}: port-file: ${oneLine(err)}; the server runs without a port file: remove that file or set :port-file to another path (or false)`);
      return undefined;
    }
  }

  private onSocket(
    spec: ServerSpec,
    accept: ResolvedAccept,
    workerAccept: WorkerAccept | undefined,
    socket: net.Socket,
    client: string,
    sockets: Set<net.Socket>,
  ): void {
    // A client that vanishes must never raise in the worker.
    socket.on('error', () => {});
    // The cheap limits first: a flood costs no read of /proc. Connections being checked, or
    // waiting for a slot, have a bound of their own (four times max-connections).
    const limit = spec['max-connections'] ?? 64;
    const entry = this.running.get(spec.name);
    const backlog = this.verifying + (entry?.waiting.length ?? 0);
    if (backlog >= limit * 4) {
      this.refuseForLimit(spec, socket, client, limit);
      return;
    }
    this.verifying += 1;
    void this.refusePeer(spec, socket, client).then((refused) => {
      this.verifying -= 1;
      if (refused || socket.destroyed) return;
      const admit = () => {
        sockets.add(socket);
        socket.once('close', () => {
          sockets.delete(socket);
          // A slot is free: the longest-waiting client takes it.
          this.running.get(spec.name)?.waiting.shift()?.();
        });
        this.serve(spec, accept, workerAccept, socket, client);
      };
      if (sockets.size < limit) return admit();
      this.waitForSlot(spec, socket, client, limit, admit);
    });
  }

  /**
   * At max-connections a client waits (unread, so its bytes stay in the
   * kernel) until a slot frees up, for at most SLOT_WAIT_MS: a burst of
   * short connections must not turn an editor away, and a client that waits
   * too long is refused.
   */
  private waitForSlot(spec: ServerSpec, socket: net.Socket, client: string, limit: number, admit: () => void): void {
    const entry = this.running.get(spec.name);
    if (!entry) return void socket.destroy();
    socket.pause();
    const take = () => {
      clearTimeout(timer);
      socket.off('close', gone);
      if (socket.destroyed) return entry.waiting.shift()?.();
      admit();
    };
    const gone = () => {
      clearTimeout(timer);
      const at = entry.waiting.indexOf(take);
      if (at >= 0) entry.waiting.splice(at, 1);
    };
    const timer = setTimeout(() => {
      gone();
      socket.off('close', gone);
      this.refuseForLimit(spec, socket, client, limit);
    }, SLOT_WAIT_MS);
    timer.unref();
    socket.once('close', gone);
    entry.waiting.push(take);
  }

  private refuseForLimit(spec: ServerSpec, socket: net.Socket, client: string, limit: number): void {
    this.refusals.note(`${spec.name}\0max-connections`,
      `server ${spec.name}: refused client ${client}: ${limit} connections already open (max-connections)`,
      (n, seconds) => `server ${spec.name}: refused ${n} connections in the last ${seconds} s (max-connections ${limit})`);
    socket.destroy();
  }

  /** Hands a verified client to its accept handler. */
  private serve(spec: ServerSpec, accept: ResolvedAccept, workerAccept: WorkerAccept | undefined, socket: net.Socket, client: string): void {
    const holdsProcess = spec['client-daemon'] === false;
    if (holdsProcess) this.adjustKeepalive(+1);
    else socket.unref();
    if (holdsProcess) socket.once('close', () => this.adjustKeepalive(-1));
    try {
      if (accept.where === 'main') {
        this.bridge.open(socket, {
          server: spec.name,
          client,
          handler: accept.handler,
          args: spec.args ?? [],
          bindErr: spec['bind-err'] !== false,
        }, flowLimitsOf(spec));
      } else {
        const attached = workerAccept!({ socket, server: spec.name, client, spec });
        if (attached) {
          // Its protocol is still loading (the first connection): read once the listeners are there.
          void attached.then(() => socket.destroyed || socket.resume(), (err: unknown) => {
            socket.destroy();
            // An editor's reconnect loop must not flood the host's stderr.
            this.refusals.note(`${spec.name}\0protocol`, `server ${spec.name}: refused client ${client}: ${oneLine(err)}`,
              (n, seconds) => `server ${spec.name}: refused ${n} connections in the last ${seconds} s: its protocol could not load`);
          });
          return;
        }
      }
      // Paused while its user was checked; the handler's listeners are attached now.
      socket.resume();
    } catch (err) {
      say(`server ${spec.name}: client ${client}: ${oneLine(err)}`);
      socket.destroy();
    }
  }

  /**
   * Resolves with true when the client was refused because another local
   * user runs it (Linux, loopback TCP); its socket is paused meanwhile. All
   * connections accepted close together share one read of /proc/net/tcp
   * (SocketLookups), so a flood of connections costs a pass, not a pass each.
   */
  private async refusePeer(spec: ServerSpec, socket: net.Socket, client: string): Promise<boolean> {
    if (spec.socket !== undefined) return false; // unix sockets are owner-only already
    const lookups = systemLookups();
    if (lookups === undefined || typeof process.getuid !== 'function') return false;
    const { remoteAddress, remotePort, localAddress, localPort } = socket;
    let reason: string | undefined;
    if (remoteAddress === undefined || localAddress === undefined) {
      reason = 'it disconnected before it could be checked';
    } else {
      const peer = { address: remoteAddress, port: remotePort ?? 0 };
      const own = { address: localAddress, port: localPort ?? 0 };
      if (!isLocalClient(peer, own)) return false;
      socket.pause();
      const row = await lookups.lookup(peer, own);
      if (row?.inode === 0) {
        // The client closed its socket while it waited to be checked: nobody to serve, nothing to log.
        socket.destroy();
        return true;
      }
      reason = judgePeer(peer, row?.uid, process.getuid());
    }
    if (reason === undefined) return false;
    socket.destroy();
    this.refusals.note(`${spec.name}\0peer-uid`, `server ${spec.name}: refused client ${client}: ${reason}`,
      (n, seconds) => `server ${spec.name}: refused ${n} connections from other local users in the last ${seconds} s`);
    return true;
  }

  private adjustKeepalive(delta: number): void {
    this.keepalive += delta;
    this.post({ t: 'keepalive', count: this.keepalive });
  }
}
