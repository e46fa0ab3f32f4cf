/**
 * The main-thread end of the agent: receives the worker's messages and does
 * what only the main thread can do — run user accept functions
 * over bridged streams, evaluate code for the protocol servers, keep the
 * worker ref'd only while a non-daemon server or client needs it, remove the
 * agent's files when the process exits, and answer the public API.
 *
 * If the worker dies (out of heap, a crash, process.exit inside it) the host
 * carries on untouched: one stderr line says so, the agent's files go, bridged
 * clients end, pending API calls reject and later ones reject at once. The
 * worker is not restarted: whatever killed it (a client's huge request, a
 * config, an eval's giant value) would likely kill the next one, and a loop
 * of restarts is worse for the host than no servers.
 *
 * Heavy modules (vm, util) are loaded on first use, never at
 * start-up.
 */
import type { Worker } from 'node:worker_threads';
import { oneLine, ErrorCodes, NreplTsError } from '../errors';
import { debug, say } from '../log';
import type { CleanupFile, ServerInfo, ToHost, ToWorker } from '../seam/channel';
import { removeCleanupFile } from '../shared/agent-files';
import { installExitCleanup } from './exit-cleanup';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** The main thread's end of the seam; one per process (see gate.ts). */
export class WorkerLink {
  readonly servers = new Map<string, ServerInfo>();
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 0;
  private readyWaiters: Array<() => void> | undefined = [];
  private clients: import('./accept/bridged-clients').MainClients | undefined;
  private calls: import('./worker-calls').WorkerCalls | undefined;
  private readonly files = new Set<CleanupFile>();
  private registration: CleanupFile | undefined;

  private keepalive = 0;
  /** Bridged (main-thread) clients open now, ended if the worker dies. */
  private readonly bridged = new Set<number>();
  /** Why the worker stopped, once it has; from then on the agent is inert. */
  private stopped: string | undefined;
  private failure: Error | undefined;

  private holdUntilReady: boolean;

  /**
   * @param holdMs keep the process alive until the worker has read the config
   *   and started its servers, but for at most this many ms (hold-hint.ts:
   *   set when the config may ask for it); 0 holds nothing.
   */
  constructor(
    private readonly worker: Worker,
    private readonly evalFlag: Int32Array,
    holdMs = 0,
    /** The worker's resourceLimits heap bound, named when it runs out. */
    private readonly workerHeapMb?: number,
  ) {
    this.holdUntilReady = holdMs > 0;
    if (this.holdUntilReady) {
      // Unref'd: the timer only ends the hold, it never keeps the process alive itself.
      setTimeout(() => {
        if (!this.holdUntilReady) return;
        this.holdUntilReady = false;
        debug(`the config is still loading after ${holdMs} ms: the process is no longer held for it (the agent keeps loading)`);
        this.applyKeepalive();
      }, holdMs).unref();
    }
    worker.on('message', (message: ToHost) => {
      try {
        this.receive(message);
      } catch (err) {
        say(`${ErrorCodes.INTERNAL}: ${oneLine(err)} (please report this)`);
      }
    });
    // 'error' always precedes 'exit' for a worker that failed; the one report is made at exit.
    worker.on('error', (err) => (this.failure = err));
    worker.on('exit', (code) => {
      try {
        this.workerStopped(code);
      } catch {
        // Never let the agent's bookkeeping reach the host.
      }
    });
    // After on('message'), which refs the port again: the agent never keeps the host alive by itself.
    if (!this.holdUntilReady) worker.unref();
  }

  /**
   * Stops the worker at once, without waiting: at exit, before the main
   * thread checks the config itself (exit-report.ts), so the worker does not
   * burn CPU the process's exit would wait for.
   */
  stopWorker(): void {
    void this.worker.terminate();
  }

  /** Posts a message to the worker. */
  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (this.stopped) return;
    this.worker.postMessage(message, transfer);
  }

  /** Sends an API request to the worker and resolves with its answer. */
  request(op: 'start' | 'stop' | 'stopAll' | 'list', extra: Record<string, unknown> = {}): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stoppedError());
    const rid = ++this.nextRequest;
    return new Promise((resolve, reject) => {
      this.pending.set(rid, { resolve, reject });
      // An awaited API call must keep the process alive until the worker answers.
      this.applyKeepalive();
      this.worker.postMessage({ t: 'api', rid, op, ...extra });
    });
  }

  /** Resolves once the worker has started its configured servers (or failed to). */
  whenReady(): Promise<void> {
    if (!this.readyWaiters) return Promise.resolve();
    return new Promise((resolve) => {
      this.readyWaiters!.push(resolve);
      this.applyKeepalive();
    });
  }

  private receive(message: ToHost): void {
    switch (message.t) {
      case 'ready': {
        const waiters = this.readyWaiters ?? [];
        this.readyWaiters = undefined;
        this.holdUntilReady = false;
        this.applyKeepalive();
        for (const w of waiters) w();
        break;
      }
      case 'listening':
        this.servers.set(message.info.name, message.info);
        for (const file of message.info.cleanup) this.files.add(file);
        if (this.files.size > 0) installExitCleanup(() => this.removeFiles());
        break;
      case 'stopped': {
        const info = this.servers.get(message.name);
        this.servers.delete(message.name);
        for (const file of info?.cleanup ?? []) this.files.delete(file);
        break;
      }
      case 'registered':
        // A rewritten entry is a new file: only the latest one is ours to remove.
        if (this.registration) this.files.delete(this.registration);
        this.registration = message.file;
        this.files.add(message.file);
        installExitCleanup(() => this.removeFiles());
        break;
      case 'keepalive':
        this.keepalive = message.count;
        this.applyKeepalive();
        break;
      case 'accept':
      case 'data':
      case 'end':
        if (message.t === 'accept') this.bridged.add(message.conn);
        else if (message.t === 'end' && !message.inputOnly) this.bridged.delete(message.conn);
        this.mainClients().receive(message);
        break;
      case 'eval':
        this.hostCalls().receive(message);
        break;
      case 'reply': {
        const pending = this.pending.get(message.rid);
        this.pending.delete(message.rid);
        this.applyKeepalive();
        if (!pending) break;
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new NreplTsError(message.error.code as never, message.error.message));
        break;
      }
    }
  }

  /** The worker is gone: report it once and drop everything that only made sense with it. */
  private workerStopped(code: number): void {
    if (this.stopped) return;
    this.stopped = this.describeStop(code);
    const urls = [...this.servers.values()].map((s) => s.url);
    const servers = urls.length > 0 ? `servers of pid ${process.pid} are gone (${urls.join(', ')})` : `no servers of pid ${process.pid} can start`;
    say(`the agent worker stopped (${this.stopped}); ${servers}; the app is unaffected; restart the app to get them back`);
    this.removeFiles();
    this.servers.clear();
    const error = this.stoppedError();
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    const waiters = this.readyWaiters ?? [];
    this.readyWaiters = undefined;
    for (const w of waiters) w();
    for (const conn of this.bridged) this.clients?.receive({ t: 'end', conn });
    this.bridged.clear();
    this.calls?.workerStopped();
  }

  private describeStop(code: number): string {
    const err = this.failure as (Error & { code?: string }) | undefined;
    if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return `out of memory: it reached its heap limit of ${this.workerHeapMb ?? '?'} MB; NREPL_WORKER_HEAP_MB raises it`;
    }
    if (err) return `${oneLine(err)}; please report this`;
    return `it exited with code ${code}; please report this`;
  }

  private stoppedError(): NreplTsError {
    return new NreplTsError(
      ErrorCodes.AGENT_STOPPED,
      `the agent worker stopped (${this.stopped}); servers cannot be started, stopped or listed until the app restarts`,
    );
  }

  private applyKeepalive(): void {
    const waiting = this.pending.size > 0 || (this.readyWaiters?.length ?? 0) > 0;
    if (this.keepalive > 0 || this.holdUntilReady || waiting) this.worker.ref();
    else this.worker.unref();
  }

  private mainClients(): import('./accept/bridged-clients').MainClients {
    if (!this.clients) {
      const { MainClients } = require('./accept/bridged-clients') as typeof import('./accept/bridged-clients');
      this.clients = new MainClients((m) => this.post(m));
    }
    return this.clients;
  }

  private hostCalls(): import('./worker-calls').WorkerCalls {
    if (!this.calls) {
      const { WorkerCalls } = require('./worker-calls') as typeof import('./worker-calls');
      this.calls = new WorkerCalls((m, transfer) => this.post(m, transfer), this.evalFlag, this.workerHeapMb);
    }
    return this.calls;
  }

  private removeFiles(): void {
    for (const file of this.files) removeCleanupFile(file);
    this.files.clear();
  }
}
