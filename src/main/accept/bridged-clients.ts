/**
 * Main-thread side of the stream bridge: turns the worker's accept/data/end
 * messages into an AcceptClient (contract.ts) and runs its accept function,
 * a user function loaded from its module.
 */
import { PassThrough, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerRef, ToHost, ToWorker } from '../../seam/channel';
import { oneLine } from '../../errors';
import { say } from '../../log';
import type { AcceptClient, AcceptHandler } from './contract';

type AcceptMessage = Extract<ToHost, { t: 'accept' }>;

class BridgedClient implements AcceptClient {
  readonly input = new PassThrough();
  readonly output: Writable;
  readonly error: Writable;
  closed = false;
  /** The worker was told to stop reading the client until `input` drains. */
  inputFull = false;

  constructor(
    private readonly open: AcceptMessage,
    private readonly post: (m: ToWorker) => void,
    private readonly onClosed: () => void,
  ) {
    this.output = new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        if (!this.closed) post({ t: 'write', conn: open.conn, chunk });
        callback();
      },
    });
    this.error = open.bindErr ? this.output : process.stderr;
  }

  get server(): string {
    return this.open.server;
  }
  get client(): string {
    return this.open.client;
  }
  get args(): readonly unknown[] {
    return this.open.args;
  }

  close(): void {
    if (this.closed) return;
    this.markClosed();
    this.post({ t: 'close', conn: this.open.conn });
  }

  /** The client went away (or close() was called). */
  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.end();
    this.onClosed();
  }
}

/** All bridged clients of this process. */
export class MainClients {
  private readonly clients = new Map<number, BridgedClient>();
  private readonly handlers = new Map<string, Promise<AcceptHandler>>();

  constructor(private readonly post: (m: ToWorker) => void) {}

  /** Handles accept/data/end from the worker. */
  receive(message: Extract<ToHost, { t: 'accept' | 'data' | 'end' }>): void {
    if (message.t === 'accept') {
      const client = new BridgedClient(message, this.post, () => this.clients.delete(message.conn));
      this.clients.set(message.conn, client);
      void this.run(client, message);
    } else if (message.t === 'data') {
      const client = this.clients.get(message.conn);
      // A handler that does not read: past the stream's high-water mark the worker stops reading the client.
      if (client && !client.input.write(Buffer.from(message.chunk)) && !client.inputFull) {
        client.inputFull = true;
        this.post({ t: 'input-full', conn: message.conn, full: true });
        client.input.once('drain', () => {
          client.inputFull = false;
          if (!client.closed) this.post({ t: 'input-full', conn: message.conn, full: false });
        });
      }
    } else if (message.inputOnly) {
      this.clients.get(message.conn)?.input.end();
    } else {
      this.clients.get(message.conn)?.markClosed();
    }
  }

  private async run(client: BridgedClient, open: AcceptMessage): Promise<void> {
    const label = `${open.handler.specifier}#${open.handler.exportName}`;
    try {
      const handler = await this.load(open.handler);
      await handler(client, ...open.args);
    } catch (err) {
      say(`server ${open.server}: accept ${label} failed for client ${open.client}: ${oneLine(err)}`);
      client.close();
    }
  }

  private load(ref: HandlerRef): Promise<AcceptHandler> {
    const key = `${ref.baseDir}\0${ref.specifier}#${ref.exportName}`;
    let loading = this.handlers.get(key);
    if (!loading) {
      loading = loadHandler(ref);
      // A failed load is retried on the next connection (the user may fix the file meanwhile).
      loading.catch(() => this.handlers.delete(key));
      this.handlers.set(key, loading);
    }
    return loading;
  }
}

async function loadHandler(ref: HandlerRef): Promise<AcceptHandler> {
  const relative = ref.specifier.startsWith('./') || ref.specifier.startsWith('../../index');
  const file =
    relative || isAbsolute(ref.specifier)
      ? resolve(ref.baseDir, ref.specifier)
      : createRequire(join(ref.baseDir, 'noop.js')).resolve(ref.specifier);
  const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  let handler = namespace[ref.exportName];
  // A CommonJS module that assigns a function to module.exports arrives as `default`.
  if (handler === undefined && namespace.default && typeof namespace.default === 'object') {
    handler = (namespace.default as Record<string, unknown>)[ref.exportName];
  }
  if (typeof handler !== 'function') {
    throw new Error(`${file} has no exported function "${ref.exportName}" (found ${typeof handler})`);
  }
  return handler as AcceptHandler;
}
