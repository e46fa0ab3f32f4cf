/**
 * The main-thread end of the agent: receives the worker's messages and does
 * what only the main thread can do — run user accept functions
 * over bridged streams, evaluate code for the protocol servers, keep the
 * worker ref'd only while a non-daemon server or client needs it, remove the
 * agent's files when the process exits, and answer the public API.
 *
 * Heavy modules (vm, util) are loaded on first use, never at
 * start-up.
 */
import type { Worker } from 'node:worker_threads';
import { oneLine, ErrorCodes, NreplTsError } from '../errors';
import { debug, say } from '../log';
import type { CleanupFile, ServerInfo, ToHost, ToWorker } from './channel';
import { removeCleanupFile } from '../server/port-file';
import { installExitCleanup } from './exit-cleanup';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** Main-thread agent state; one per process (see gate.ts). */
export class Host {
  readonly servers = new Map<string, ServerInfo>();
  private readonly pending = new Map<number, Pending>();
  private nextRequest = 0;
  private readyWaiters: Array<() => void> | undefined = [];
  private clients: import('../accept/main-clients').MainClients | undefined;
  private calls: import('../eval/host-calls').HostCalls | undefined;
  private readonly files = new Set<CleanupFile>();
  private registration: CleanupFile | undefined;

  private keepalive = 0;

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
    worker.on('error', (err) => say(`${ErrorCodes.INTERNAL}: agent worker failed: ${oneLine(err)}`));
    worker.on('exit', () => this.removeFiles());
    // After on('message'), which refs the port again: the agent never keeps the host alive by itself.
    if (!this.holdUntilReady) worker.unref();
  }

  /** Posts a message to the worker. */
  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Sends an API request to the worker and resolves with its answer. */
  request(op: 'start' | 'stop' | 'stopAll' | 'list', extra: Record<string, unknown> = {}): Promise<unknown> {
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

  private applyKeepalive(): void {
    const waiting = this.pending.size > 0 || (this.readyWaiters?.length ?? 0) > 0;
    if (this.keepalive > 0 || this.holdUntilReady || waiting) this.worker.ref();
    else this.worker.unref();
  }

  private mainClients(): import('../accept/main-clients').MainClients {
    if (!this.clients) {
      const { MainClients } = require('../accept/main-clients') as typeof import('../accept/main-clients');
      this.clients = new MainClients((m) => this.post(m));
    }
    return this.clients;
  }

  private hostCalls(): import('../eval/host-calls').HostCalls {
    if (!this.calls) {
      const { HostCalls } = require('../eval/host-calls') as typeof import('../eval/host-calls');
      this.calls = new HostCalls((m) => this.post(m), this.evalFlag);
    }
    return this.calls;
  }

  private removeFiles(): void {
    for (const file of this.files) removeCleanupFile(file);
    this.files.clear();
  }
}
