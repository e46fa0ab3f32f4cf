/**
 * A small nREPL client over TCP or a unix socket, for our conformance tests,
 * benchmarks and the `nrepl-ts connect/eval` CLI.
 *
 * It sends one frame per write, gives every tracked request an id, routes
 * responses by id (they interleave), and finishes a request at the first
 * response whose status contains `done`. Everything a server answers, error
 * statuses included, is data; only transport problems (timeout, lost
 * connection, bad bencode from the server) reject, with a `NreplClientError`
 * naming the op and id. It knows no op semantics beyond the helpers at the
 * end, which are thin wrappers: any op can be sent with `request`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { foreignServer, foreignServerMessage } from '../shared/foreign';
import { encode, FrameReader, loadCodec, type BDict, type BValue, type Encodable } from '../shared/bencode/bencode';
import { evalResult, hasStatus, mergeResponses, statusOf, type EvalResult, type Response } from './responses';

export { hasStatus, mergeResponses, statusOf, type EvalResult, type Response } from './responses';

/** Where the server listens: TCP (host defaults to 127.0.0.1) or a unix socket path. */
export type ConnectTarget = { host?: string; port: number } | { socket: string };

/** Message fields as sent on the wire (kebab-case keys, as the protocol names them). */
export type Fields = { readonly [key: string]: Encodable };

/** A request: any op plus its fields. `id` is generated when missing. */
export type Request = Fields & { readonly op: string; readonly id?: string };

/** Options of `connect`. */
export interface ClientOptions {
  /** Default per-request timeout in ms; 0 or Infinity waits forever. Default 30000. */
  timeoutMs?: number;
  /** How long `connect` waits for the connection. Default 10000. */
  connectTimeoutMs?: number;
  /** Largest response accepted. Default 256 MiB. */
  maxMessageBytes?: number;
  /** Receives responses whose id matches no pending request (no id, unknown id, or after `done`/timeout). */
  onUnsolicited?: (response: Response) => void;
}

/** Options of one request. */
export interface RequestOptions {
  /** Overrides the client's timeout for this request; 0 or Infinity waits forever. */
  timeoutMs?: number;
  /** Called with each response as it arrives, before the request settles. An exception rejects the request. */
  onResponse?: (response: Response) => void;
}

/** Stable codes of `NreplClientError` (proposed for errors.ts). */
export const ClientErrorCodes = {
  /** Could not connect, or the connection closed or failed while requests were pending. */
  CONNECTION: 'NREPL_CLIENT_CONNECTION',
  /** No `done` within the request's timeout. */
  TIMEOUT: 'NREPL_CLIENT_TIMEOUT',
  /** The server sent bytes that are not nREPL bencode. */
  PROTOCOL: 'NREPL_CLIENT_PROTOCOL',
  /** The server's reply lacks what the op promises (e.g. `clone` without `new-session`). */
  REPLY: 'NREPL_CLIENT_REPLY',
  /** A caller mistake: duplicate id, unencodable field. */
  USAGE: 'NREPL_CLIENT_USAGE',
} as const;

export type ClientErrorCode = (typeof ClientErrorCodes)[keyof typeof ClientErrorCodes];

/** A request or connection failure, naming the op and id it concerns. */
export class NreplClientError extends Error {
  readonly code: ClientErrorCode;
  readonly op: string | undefined;
  readonly id: string | undefined;
  /** Responses received for the request before it failed. */
  readonly responses: Response[];

  constructor(code: ClientErrorCode, message: string, extra: { op?: string; id?: string; responses?: Response[]; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'NreplClientError';
    this.code = code;
    this.op = extra.op;
    this.id = extra.id;
    this.responses = extra.responses ?? [];
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** How long `end()` waits for the server to close its side before destroying the socket. */
const END_GRACE_MS = 2_000;
/** setTimeout fires at once for longer delays. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Connects to an nREPL server (loading the bencode codec first). Rejects with a `NREPL_CLIENT_CONNECTION` error naming the target. */
export async function connect(target: ConnectTarget, options: ClientOptions = {}): Promise<NreplClient> {
  await loadCodec();
  const host = 'socket' in target ? '' : (target.host ?? '127.0.0.1');
  const where = 'socket' in target ? `nrepl+unix:${target.socket}` : `${host.includes(':') ? `[${host}]` : host}:${target.port}`;
  const ms = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = 'socket' in target ? netConnect({ path: target.socket }) : netConnect({ host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new NreplClientError(ClientErrorCodes.CONNECTION, `could not connect to nREPL at ${where} within ${ms} ms`));
    }, ms);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new NreplClientError(ClientErrorCodes.CONNECTION, `could not connect to nREPL at ${where}: ${err.message}`, { cause: err }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      if (!('socket' in target)) socket.setNoDelay(true);
      resolve(new NreplClient(socket, where, options));
    });
  });
}

interface Pending {
  op: string;
  responses: Response[];
  onResponse: ((response: Response) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
  resolve: (responses: Response[]) => void;
  reject: (err: Error) => void;
}

const HEAD_BYTES = 64;

/** One connection to an nREPL server. Create it with `connect`. */
export class NreplClient {
  /** Where this client is connected (`host:port` or `nrepl+unix:path`), for messages. */
  readonly target: string;
  /** See `ClientOptions.onUnsolicited`; may be replaced at any time. */
  onUnsolicited: (response: Response) => void;

  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private lastId = 0;
  /** The first bytes the server sent (up to HEAD_BYTES), to name a protocol that is not nREPL. */
  private head: Buffer = Buffer.alloc(0);
  /** Why the connection is unusable, once it is. */
  private broken: NreplClientError | undefined;
  /** Resolves once the socket is closed, by either side (the CLI notices a server going away with it). */
  readonly closed: Promise<void>;

  /** @internal use `connect`. */
  constructor(socket: Socket, target: string, options: ClientOptions = {}) {
    this.socket = socket;
    this.target = target;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onUnsolicited = options.onUnsolicited ?? (() => {});
    this.reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_RESPONSE_BYTES });
    let cause: Error | undefined;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => (cause ??= err));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        const truncated = this.reader.bufferedBytes > 0 ? ` in the middle of a message (${this.reader.bufferedBytes} bytes)` : '';
        const why = cause ? `: ${cause.message}` : '';
        this.breakWith(new NreplClientError(ClientErrorCodes.CONNECTION, `nREPL connection to ${this.target} closed${truncated}${why}`, { cause }));
        resolve();
      }),
    );
  }

  /** Number of requests still waiting for `done`. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends `msg` (adding an id if it has none) and resolves with every
   * response for that id, up to and including the first whose status
   * contains `done`. Rejects on timeout, connection loss, or bad bencode.
   */
  request(msg: Request, options: RequestOptions = {}): Promise<Response[]> {
    return new Promise((resolve, reject) => {
      const op = String(msg.op);
      if (this.broken) return reject(this.failure(this.broken, op, msg.id));
      if (!this.socket.writable) {
        const closing = new NreplClientError(ClientErrorCodes.CONNECTION, `nREPL connection to ${this.target} is closing`);
        return reject(this.failure(closing, op, msg.id));
      }
      let id = msg.id;
      if (id === undefined) {
        do id = String(++this.lastId);
        while (this.pending.has(id));
      } else if (this.pending.has(id)) {
        return reject(new NreplClientError(ClientErrorCodes.USAGE, `nREPL request id "${id}" is already pending (op "${op}")`, { op, id }));
      }
      let frame: Buffer;
      try {
        frame = encode({ ...msg, id });
      } catch (err) {
        return reject(new NreplClientError(ClientErrorCodes.USAGE, `nREPL request op "${op}", id "${id}": ${(err as Error).message}`, { op, id, cause: err }));
      }
      const ms = options.timeoutMs ?? this.timeoutMs;
      const entry: Pending = { op, responses: [], onResponse: options.onResponse, timer: undefined, resolve, reject };
      const key = id;
      if (ms > 0 && Number.isFinite(ms)) {
        entry.timer = setTimeout(() => {
          const got = entry.responses.length;
          this.settle(key, new NreplClientError(ClientErrorCodes.TIMEOUT, `nREPL request timed out after ${ms} ms: op "${op}", id "${key}" (${got} response${got === 1 ? '' : 's'}, no "done")`, { op, id: key, responses: entry.responses }));
        }, Math.min(ms, MAX_TIMER_MS));
      }
      this.pending.set(id, entry);
      this.socket.write(frame);
    });
  }

  /** `request` with a callback for each response as it arrives (streamed output, values). */
  message(msg: Request, onResponse: (response: Response) => void, options: RequestOptions = {}): Promise<Response[]> {
    return this.request(msg, { ...options, onResponse });
  }

  /** Sends a message exactly as given, untracked: no id is added and its responses go to `onUnsolicited`. */
  post(msg: Fields): void {
    if (this.broken) throw this.broken;
    this.socket.write(encode(msg));
  }

  /** Writes raw bytes (for tests of how servers handle bad input). */
  writeRaw(bytes: Uint8Array): void {
    if (this.broken) throw this.broken;
    this.socket.write(bytes);
  }

  /** Closes the connection; pending requests reject. Resolves once the socket is closed. */
  async end(): Promise<void> {
    this.breakWith(new NreplClientError(ClientErrorCodes.CONNECTION, `nREPL connection to ${this.target} was ended by the client`));
    this.socket.end();
    const grace = setTimeout(() => this.socket.destroy(), END_GRACE_MS);
    await this.closed;
    clearTimeout(grace);
  }

  // ---- op helpers: thin wrappers, fields use wire names ----

  /** `clone`: resolves with the new session id. */
  async clone(fields: Fields = {}, options?: RequestOptions): Promise<string> {
    const responses = await this.request({ ...fields, op: 'clone' }, options);
    return this.need(responses, 'clone', 'new-session') as string;
  }

  /** `describe`: all responses merged into one (normally there is only one). */
  async describe(fields: Fields = {}, options?: RequestOptions): Promise<Response> {
    return mergeResponses(await this.request({ ...fields, op: 'describe' }, options));
  }

  /** `eval`: collects values, output, error and statuses. */
  async eval(code: string, fields: Fields = {}, options?: RequestOptions): Promise<EvalResult> {
    return evalResult(await this.request({ ...fields, op: 'eval', code }, options));
  }

  /** `load-file` with the file's contents (not its path). */
  async loadFile(contents: string, fields: Fields = {}, options?: RequestOptions): Promise<EvalResult> {
    return evalResult(await this.request({ ...fields, op: 'load-file', file: contents }, options));
  }

  /** `close`: resolves with the statuses (`session-closed`, `done`, or an error). */
  async close(session: string, fields: Fields = {}, options?: RequestOptions): Promise<string[]> {
    return statusOf(await this.request({ ...fields, op: 'close', session }, options));
  }

  /** `ls-sessions`: resolves with the session ids. */
  async lsSessions(fields: Fields = {}, options?: RequestOptions): Promise<string[]> {
    return this.need(await this.request({ ...fields, op: 'ls-sessions' }, options), 'ls-sessions', 'sessions') as string[];
  }

  /** `interrupt`: resolves with the statuses of the interrupt reply (`done`, `session-idle`, ...). */
  async interrupt(session: string, interruptId?: string, options?: RequestOptions): Promise<string[]> {
    return statusOf(await this.request({ op: 'interrupt', session, 'interrupt-id': interruptId }, options));
  }

  /** `stdin`: sends input to a session (`""` means end of input); resolves with the statuses. */
  async stdin(session: string | undefined, text: string, options?: RequestOptions): Promise<string[]> {
    return statusOf(await this.request({ op: 'stdin', session, stdin: text }, options));
  }

  /** `completions`: resolves with the candidate list (empty when the server sends none). */
  async completions(prefix: string, fields: Fields = {}, options?: RequestOptions): Promise<BValue[]> {
    const merged = mergeResponses(await this.request({ ...fields, op: 'completions', prefix }, options));
    return Array.isArray(merged.completions) ? merged.completions : [];
  }

  /** `lookup`: resolves with the `info` dict, or undefined when the symbol is not found. */
  async lookup(sym: string, fields: Fields = {}, options?: RequestOptions): Promise<BDict | undefined> {
    const info = mergeResponses(await this.request({ ...fields, op: 'lookup', sym }, options)).info;
    return info !== undefined && typeof info === 'object' && !Array.isArray(info) && !Buffer.isBuffer(info) && Object.keys(info).length > 0 ? info : undefined;
  }

  private need(responses: Response[], op: string, key: string): BValue {
    const value = mergeResponses(responses)[key];
    if (value === undefined) {
      const id = responses[0]?.id;
      throw new NreplClientError(ClientErrorCodes.REPLY, `nREPL ${op} reply has no "${key}" (status ${JSON.stringify(statusOf(responses))})`, { op, id, responses });
    }
    return value;
  }

  private onData(chunk: Buffer): void {
    // The first bytes tell a plain REPL or a prepl apart from a broken nREPL server (nrepl/foreign.ts).
    if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk]).subarray(0, HEAD_BYTES);
    for (const response of this.reader.push(chunk)) this.route(response as Response);
    const bad = this.reader.error;
    if (bad && !this.broken) {
      const other = foreignServer(this.head);
      const message = other ? foreignServerMessage(other, this.target) : `nREPL server at ${this.target} sent bad bencode: ${bad.message}`;
      this.breakWith(new NreplClientError(ClientErrorCodes.PROTOCOL, message));
      this.socket.destroy();
    }
  }

  private route(response: Response): void {
    const id = typeof response.id === 'string' || typeof response.id === 'number' ? String(response.id) : undefined;
    const entry = id === undefined ? undefined : this.pending.get(id);
    if (!entry || id === undefined) {
      try {
        this.onUnsolicited(response);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
      return;
    }
    entry.responses.push(response);
    if (entry.onResponse) {
      try {
        entry.onResponse(response);
      } catch (err) {
        this.settle(id, err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
    if (hasStatus(response, 'done')) this.settle(id);
  }

  /** Finishes a pending request: resolves it, or rejects it with `error`. */
  private settle(id: string, error?: Error): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(entry.responses);
  }

  /** Marks the connection unusable and rejects every pending request with `why`, naming each one's op and id. */
  private breakWith(why: NreplClientError): void {
    this.broken ??= why;
    for (const [id, entry] of [...this.pending]) this.settle(id, this.failure(why, entry.op, id, entry.responses));
  }

  private failure(why: NreplClientError, op: string, id: string | undefined, responses?: Response[]): NreplClientError {
    const which = id === undefined ? `op "${op}"` : `op "${op}", id "${id}"`;
    return new NreplClientError(why.code, `${why.message} (request ${which})`, { op, id, responses, cause: why.cause });
  }
}
