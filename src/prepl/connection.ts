/**
 * One prepl client, in the agent worker: socket text → reader.ts forms →
 * evaluations on the main thread (one at a time, in order, in the
 * connection's own session) → one message per event, written whole, one
 * write at a time (messages.ts).
 *
 * Per form, exactly one `:ret`: the value, or the exception as data
 * (`:phase :read-source` for a syntax error, with no `:form` and no `:ms`;
 * `:phase :execution` for a thrown error, with no `:ms`). Output the form
 * writes — also later, from timers and callbacks it started — arrives as
 * `:out`/`:err`. `:repl/quit`, or the end of the client's input, ends the
 * connection once the forms already read have been answered.
 *
 * Flow control: while more than `outputBufferBytes` wait in the socket,
 * `:out`/`:err`/`:tap` messages are dropped — never a `:ret` — and the client
 * is told how many with one `:err` once it catches up.
 */
import { randomUUID } from 'node:crypto';
import type * as net from 'node:net';
import type { HostEvent, HostLink } from '../agent/host-link';
import { prepareEval } from '../eval/transform';
import { FormReader, type ReadError, type ReaderItem } from './reader';
import { ednThrowable, formatMessage, jsonThrowable, type PreplEvent, type PreplFormat, type PrintedValue } from './messages';
import { readErrorData, throwableData, type ErrorReport, type ThrowableData } from './throwable';

/** What a connection needs. */
export interface PreplConnectionOptions {
  socket: net.Socket;
  host: HostLink;
  format: PreplFormat;
  /** Largest form accepted (max-message-bytes, counted in characters). */
  maxChars: number;
  /** Output queued for a slow client before `:out`/`:err`/`:tap` are dropped. */
  outputBufferBytes: number;
  /** Called once when the socket has closed. */
  onClose: () => void;
}

const NS = 'user';

/** The print keys sent with every eval, per format (resolved on the main thread by eval/print.ts). */
const PRINT: Record<PreplFormat, Record<string, unknown>> = {
  edn: { 'nrepl.middleware.print/print': 'nrepl-ts/edn' },
  // caught/print? makes the evaluator add the error text (stack and causes) for `val`.
  json: { 'nrepl.middleware.print/print': 'nrepl-ts/prepl-json', 'nrepl.middleware.caught/print?': 'true' },
};

/** A connected prepl client. */
export class PreplConnection {
  /** The host-side session of this connection ($1 $2 $3, $e). */
  readonly session = randomUUID();
  readonly format: PreplFormat;
  private readonly reader: FormReader;
  private readonly queue: ReaderItem[] = [];
  private readonly conn: number;
  private readonly closeConnection: () => void;
  private running: number | undefined;
  private inputEnded = false;
  private quitting = false;
  private closed = false;
  private dropped = 0;

  constructor(private readonly options: PreplConnectionOptions) {
    const { socket, host } = options;
    this.format = options.format;
    this.reader = new FormReader({ maxChars: options.maxChars });
    // Half-open: a client that sends its forms and then shuts down its side still gets every answer.
    socket.allowHalfOpen = true;
    const late = host.openConnection((event) => this.output(event));
    this.conn = late.conn;
    this.closeConnection = late.closeConnection;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => this.read(this.reader.push(text)));
    socket.on('end', () => {
      this.read(this.reader.end());
      this.inputEnded = true;
      this.pump();
    });
    socket.on('drain', () => this.reportDropped());
    socket.once('close', () => this.cleanup());
  }

  /** Sends a message; `droppable` ones (output, taps) are shed while the client does not read. */
  send(event: PreplEvent, droppable = false): void {
    const { socket } = this.options;
    if (this.closed || socket.destroyed || !socket.writable) return;
    if (droppable && socket.writableLength > this.options.outputBufferBytes) {
      this.dropped += 1;
      return;
    }
    socket.write(formatMessage(event, this.format));
  }

  private read(items: ReaderItem[]): void {
    if (this.quitting) return;
    this.queue.push(...items);
    this.pump();
  }

  /** Starts the next form when none is running. */
  private pump(): void {
    while (!this.closed && !this.quitting && this.running === undefined) {
      const item = this.queue.shift();
      if (!item) {
        if (this.inputEnded) this.finish();
        return;
      }
      if (item.kind === 'quit') return this.finish();
      if (item.kind === 'too-large') {
        const error = { name: 'RangeError', message: `form of ${item.chars} characters exceeds max-message-bytes; connection closed`, line: 1, column: 1 };
        this.sendException(readErrorData(error), `RangeError: ${error.message}`);
        return this.finish();
      }
      if (item.error) this.readError(item.error);
      else this.evaluate(item.source);
    }
  }

  private evaluate(source: string): void {
    const prepared = prepareEval(source);
    if (!prepared.ok) return this.readError(prepared.error);
    const { host } = this.options;
    const onEvent = (event: HostEvent, final: boolean): void => {
      this.output(event);
      if (typeof event.value === 'string') {
        const ns = typeof event.ns === 'string' ? event.ns : NS;
        this.send({ tag: 'ret', value: this.printed(event.value), ns, ms: Number(event.ms) || 0, form: source });
      } else if (event.error && typeof event.error === 'object') {
        const report = event.error as Partial<ErrorReport> & { throwable?: string };
        const full: ErrorReport = { ex: report.ex ?? 'Error', message: report.message ?? '', stack: report.stack, causes: report.causes ?? [] };
        const text = (report.throwable ?? `${full.ex}: ${full.message}`).replace(/\n$/, '');
        this.sendException(throwableData(full, 'execution'), text, source);
      }
      if (final) {
        this.running = undefined;
        this.pump();
      }
    };
    const payload = {
      mode: 'eval',
      conn: this.conn,
      session: this.session,
      ephemeral: false,
      code: prepared.code,
      async: prepared.async,
      declared: prepared.declared,
      ns: NS,
      print: PRINT[this.format],
      quietErrors: true,
    };
    this.running = host.call('eval', payload, onEvent);
  }

  /** The `:ret` of a form that does not parse: `:phase :read-source`, no `:form`, no `:ms` (Clojure's read errors). */
  private readError(error: ReadError): void {
    this.sendException(readErrorData(error), `SyntaxError: ${error.message} (${error.line}:${error.column})`);
  }

  /** `:out`/`:err` of an event, during the eval or later (timers it started). */
  private output(event: HostEvent): void {
    if (typeof event.out === 'string') this.send({ tag: 'out', text: event.out }, true);
    if (typeof event.err === 'string') this.send({ tag: 'err', text: event.err }, true);
  }

  /** A printed value from the main thread in this connection's format. */
  printed(text: string): PrintedValue {
    if (this.format === 'edn') return { edn: text };
    try {
      const pair = JSON.parse(text) as { val?: unknown; data?: unknown };
      if (typeof pair.val === 'string') return { text: pair.val, data: pair.data };
    } catch {
      // Not the prepl-json printer's pair (should not happen): show the text as it is.
    }
    return { text };
  }

  private sendException(data: ThrowableData, text: string, form?: string): void {
    const value = this.format === 'edn' ? ednThrowable(data) : jsonThrowable(data, text);
    this.send({ tag: 'ret', value, ns: NS, form, exception: true });
  }

  /** Ends the connection after what is already written. */
  private finish(): void {
    if (this.quitting) return;
    this.quitting = true;
    this.queue.length = 0;
    const { socket } = this.options;
    socket.end();
    setTimeout(() => socket.destroy(), 2000).unref();
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    const count = this.dropped;
    this.dropped = 0;
    this.send({ tag: 'err', text: `nrepl-ts: dropped ${count} output message(s): the client did not read fast enough (output-buffer-bytes)\n` });
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.running !== undefined) this.options.host.forget(this.running);
    this.running = undefined;
    this.closeConnection();
    this.options.host.notify('session-closed', { session: this.session });
    this.options.onClose();
  }
}
