/**
 * The op table and dispatch of the nREPL server. Every op is one entry with
 * its descriptor (doc, requires, optional, returns); `describe` is built from
 * the same table, so what the server says it does is what it does.
 *
 * Failures are statuses, never thrown errors: unknown ops, unknown sessions
 * and ops that fail all get a status reply ending in `done`, exactly once
 * per request, and the connection stays up.
 */
import type { Language } from '../eval/language';
import type { DecodedMessage } from '../../shared/bencode/bencode';
import type { MainThreadLink } from '../main-thread-link';
import type { Interrupter } from './interrupter';
import { Session, type SessionStore } from './sessions';
import type { Message, Transport } from './transport';
import { busyCause, runningInSession, type RunningEntry } from '../connection/running-evals';
import { oneLine } from '../../errors';

/** Per-server state shared by its connections. */
export interface ServerState {
  name: string;
  sessions: SessionStore;
  mainThread: MainThreadLink;
  interrupter: Interrupter;
  /** The shared eval flag (nrepl/interrupt.ts): which eval's synchronous part runs now. */
  evalFlag: Int32Array;
  /** The language the server's args ask for (eval/language.ts), if any. */
  language?: Language;
}

/** Per-connection state. */
export interface ConnectionState {
  transport: Transport;
  /** The client's label in this server ("3"), for listings. */
  client: string;
  /** Ephemeral sessions with an eval in progress: interrupted when the connection closes. */
  ephemeral: Set<Session>;
  /** This connection's number with the host link: late output of its evals is routed by it. */
  conn: number;
  /** Host calls that stream to this connection until it closes (forward-system-output, running evals). */
  calls: Set<number>;
}

/** Everything an op handler needs for one request. */
export interface OpContext {
  request: DecodedMessage;
  server: ServerState;
  connection: ConnectionState;
  /** The request's session, or a fresh ephemeral one when none was given. */
  session: Session;
  /** Sends a response stamped with the request's id and session. */
  respond(fields: Message, droppable?: boolean): void;
  /** Sends the final response (`done` added to `statuses`); later calls are ignored. */
  done(statuses?: string[], fields?: Message): void;
  readonly isDone: boolean;
}

/** An op: its describe entry and its handler. */
export interface OpDescriptor {
  doc: string;
  requires?: Record<string, string>;
  optional?: Record<string, string>;
  returns?: Record<string, string>;
  handle(ctx: OpContext): void | Promise<void>;
}

/** The op table; filled by ops/index.ts. */
export type OpTable = Record<string, OpDescriptor>;

/** Reads a request field as a string (integers from lenient clients included). */
export function stringField(request: DecodedMessage, key: string): string | undefined {
  const v = request[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

/** Handles one decoded request. Never throws. */
export function dispatch(table: OpTable, request: DecodedMessage, server: ServerState, connection: ConnectionState): void {
  const id = stringField(request, 'id');
  const op = stringField(request, 'op');
  const sessionId = stringField(request, 'session');
  let session: Session | undefined;
  if (sessionId !== undefined) session = server.sessions.get(sessionId);
  // Stamps, not copies: the encoder writes id and session over the fields (bencode.ts).
  const stamp = (sid: string | undefined): Message => ({ id, session: sid });
  if (sessionId !== undefined && !session) {
    // An ephemeral nREPL session, or a prepl/REPL connection's session, that runs an eval now:
    // `interrupt` reaches it (the operator's way out of another client's `while (true) {}`).
    const foreign = op === 'interrupt' ? runningInSession(sessionId) : undefined;
    if (foreign) {
      void stopForeign(foreign, server.evalFlag, stringField(request, 'interrupt-id'), (fields) => connection.transport.send(fields, false, stamp(sessionId)));
      return;
    }
    connection.transport.send({ status: ['error', 'unknown-session', 'done'] }, false, stamp(sessionId));
    return;
  }
  const descriptor = op !== undefined && Object.hasOwn(table, op) ? table[op] : undefined;
  if (!descriptor) {
    const reply: Message = { status: ['error', 'unknown-op', 'done'] };
    if (op !== undefined) reply.op = op;
    connection.transport.send(reply, false, stamp(sessionId));
    return;
  }
  const target = session ?? new Session(true);
  // Counted until done: a client cannot queue unbounded work (connection/socket-connection.ts).
  const settle = connection.transport.begin(requestBytes(request));
  let isDone = false;
  const stamped = stamp(target.id);
  const ctx: OpContext = {
    request,
    server,
    connection,
    session: target,
    // Output may follow `done` (timers an eval started), so respond is not closed by done.
    respond: (fields, droppable) => connection.transport.send(fields, droppable, stamped),
    done: (statuses = [], fields = {}) => {
      if (isDone) return;
      isDone = true;
      settle();
      connection.transport.send(fields, false, { id, session: target.id, status: [...statuses, 'done'] });
    },
    get isDone() {
      return isDone;
    },
  };
  const fail = (err: unknown) => {
    ctx.respond({ err: `nrepl-ts: op ${op} failed: ${oneLine(err)}\n` });
    ctx.done([`${op}-error`, 'error'], { message: oneLine(err) });
  };
  try {
    const result = descriptor.handle(ctx);
    if (result) result.catch(fail);
  } catch (err) {
    fail(err);
  }
}

/** Roughly what a request holds in memory while it waits: its code or file text plus a little. */
function requestBytes(request: DecodedMessage): number {
  let bytes = 64;
  for (const key of ['code', 'file', 'stdin'] as const) {
    const v = request[key];
    if (typeof v === 'string') bytes += v.length;
    else if (Buffer.isBuffer(v)) bytes += v.length;
  }
  return bytes;
}

/** Interrupts an eval that is not in one of this server's persistent sessions. */
async function stopForeign(
  entry: RunningEntry,
  evalFlag: Int32Array,
  wanted: string | undefined,
  send: (fields: Message) => void,
): Promise<void> {
  if (wanted !== undefined && entry.id !== undefined && wanted !== entry.id) {
    send({ status: ['error', 'interrupt-id-mismatch', 'done'] });
    return;
  }
  const outcome = await entry.stop();
  if (outcome === 'unsafe') {
    send({ err: `nrepl-ts: ${busyCause(evalFlag)}\n`, status: ['error', 'interrupt-unsafe', 'done'] });
    return;
  }
  send({ status: ['done'] });
}

/** Builds the `ops` map of a describe reply. */
export function describeOps(table: OpTable, verbose: boolean): Message {
  const ops: Message = {};
  for (const [name, d] of Object.entries(table)) {
    ops[name] = verbose ? { doc: d.doc, requires: d.requires ?? {}, optional: d.optional ?? {}, returns: d.returns ?? {} } : {};
  }
  return ops;
}
