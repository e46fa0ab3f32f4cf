/**
 * One client of a text protocol that reads JavaScript forms line by line —
 * the prepl and the plain REPL — in the agent worker: socket text →
 * prepl/reader.ts forms → evaluations on the main thread (one at a time, in
 * order, in the connection's own session) → the protocol's presenter turns
 * each event into text. Flow control and timeouts are the socket
 * connection's (socket-connection.ts); a form counts as in progress from the
 * moment it is read until its answer, so a client that sends faster than the
 * host evaluates is held back by TCP.
 *
 * Every running eval is listed process-wide (running-evals.ts) and is
 * interrupted when its client disconnects: nobody else could ever stop a
 * `while (true) {}` whose client is gone. The plain REPL also interrupts on
 * Ctrl-C (a 0x03 byte, or telnet's Interrupt Process), as a local node REPL
 * does; telnet's other commands are stripped from the input.
 *
 * It does not know any wire format: presenters do (prepl/presenter.ts,
 * repl/presenter.ts).
 */
import { randomUUID } from 'node:crypto';
import type * as net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import type { CallEvent, MainThreadLink } from '../main-thread-link';
import { formLanguage, prepareInput, whenPrepared } from '../eval/prepare';
import { loadedTypeScript, loadTypeScript, type StripTypes } from '../eval/typescript';
import type { Language } from '../eval/language';
import { IMPORT_COPY_WARNING, type PreparedEval } from '../eval/transform';
import type { Interrupter } from '../nrepl/interrupter';
import { FormReader, type ReadError, type ReaderItem } from '../../shared/form-reader';
import { busyCause, trackEval } from './running-evals';
import { SocketConnection, type FlowLimits } from './socket-connection';
import { stripTelnet } from './telnet';

/** How a protocol shows what happens; every method returns the text to write ('' for nothing). */
export interface Presenter {
  /** Print keys sent with every eval (resolved on the main thread). */
  readonly print: Record<string, unknown>;
  /** Structured clients report errors as data only: no `err` text from the evaluator. */
  readonly quietErrors: boolean;
  /** Whether Ctrl-C bytes and telnet commands are interpreted (the plain REPL). */
  readonly interactive: boolean;
  /** The answer to an interactive command such as `.help` typed as a whole form, or undefined when it is code. */
  command?(source: string): string | undefined;
  /** Written once when the client connects, and after every answer (a prompt), or ''. */
  prompt(continuation: boolean): string;
  out(text: string): string;
  err(text: string): string;
  /** The answer to one evaluated form: a value or an error event. */
  answer(event: CallEvent, source: string): string;
  /** A form that does not parse. */
  /** `source`: the code that failed to read, when known (the plain REPL shows its line). */
  readError(error: ReadError, source?: string): string;
  /** A form longer than max-message-bytes; the connection closes after it. */
  tooLarge(chars: number): string;
  /** The eval of `source` was stopped (Ctrl-C, or an operator); `note` says how. */
  interrupted(source: string, note: string): string;
  /** `count` output writes were shed. */
  dropped(count: number): string;
  /** The answer when the client's first bytes are another protocol's (an nREPL client's bencode); the connection then closes. */
  foreign?(head: Uint8Array, server: string): string | undefined;
}

/** What a connection needs. */
export interface FormConnectionOptions {
  socket: net.Socket;
  mainThread: MainThreadLink;
  interrupter: Interrupter;
  evalFlag: Int32Array;
  presenter: Presenter;
  kind: 'prepl' | 'repl';
  server: string;
  client: string;
  /** Largest form accepted (max-message-bytes, counted in characters). */
  maxChars: number;
  limits: FlowLimits;
  /** Called once when the socket has closed. */
  onClose?: () => void;
  /** The language the server's args ask for (eval/language.ts), if any. */
  language?: Language;
}

const NS = 'user';

interface Running {
  call: number;
  source: string;
  settle: () => void;
  untrack: () => void;
}

/** A connected prepl or plain-REPL client. */
export class FormConnection {
  /** The main-thread session of this connection ($1 $2 $3, $e). */
  readonly session = randomUUID();
  private readonly reader: FormReader;
  private readonly decoder = new StringDecoder('utf8');
  private readonly queue: Array<{ item: ReaderItem; settle: () => void }> = [];
  private readonly conn: number;
  private readonly closeLate: () => void;
  private readonly connection: SocketConnection;
  private running: Running | undefined;
  private inputEnded = false;
  private quitting = false;
  /** True while the first TypeScript form waits for the stripper to load. */
  private preparing = false;
  /** Input that arrived while the TypeScript reader loads; `ended` when the client's side ended meanwhile. */
  private held: (Buffer[] & { ended?: boolean }) | undefined;
  private cleanedUp = false;
  private sawInput = false;
  /** This connection's session was told that imported names are copies. */
  private warnedImports = false;

  constructor(private readonly options: FormConnectionOptions) {
    const { socket, mainThread, presenter } = options;
    this.reader = new FormReader({ maxChars: options.maxChars });
    // Half-open: a client that sends its forms and then shuts down its side still gets every answer.
    socket.allowHalfOpen = true;
    const late = mainThread.openConnection((event) => this.output(event));
    this.conn = late.conn;
    this.closeLate = late.closeConnection;
    this.connection = new SocketConnection(socket, options.limits, {
      data: (chunk) => this.receive(chunk),
      end: () => this.ended(),
      close: () => this.cleanup(),
      dropped: (count) => this.write(presenter.dropped(count)),
    });
    if (formLanguage(options.language) === 'typescript') this.readTypeScript();
    this.write(presenter.prompt(false));
  }

  /** The client ended its side. */
  private ended(): void {
    if (this.held) return void (this.held.ended = true);
    this.read(this.reader.end());
    this.inputEnded = true;
    this.pump();
    // Still answering: the client may be waiting for the answers, or gone for good.
    if (!this.quitting) this.connection.watchPeer();
  }

  /** Writes protocol text; `droppable` text (output, taps) is shed while the client does not read. */
  write(text: string, droppable = false): void {
    if (text !== '') this.connection.write(text, droppable);
  }

  /**
   * TypeScript input: the reader judges forms after stripping types, so what
   * arrives before the stripper has loaded (first connection only) waits here.
   */
  private readTypeScript(): void {
    const use = (strip: StripTypes) => {
      this.reader.strip = (code) => {
        const stripped = strip(code);
        return stripped.ok ? stripped.code : undefined;
      };
    };
    const ready = loadedTypeScript();
    if (ready) return use(ready);
    const held: Buffer[] & { ended?: boolean } = [];
    this.held = held;
    const release = () => {
      this.held = undefined;
      if (this.connection.closed) return;
      for (const chunk of held) this.receive(chunk);
      if (held.ended) this.ended();
    };
    // Without the stripper (not installed), forms are read as JavaScript and evaluation says why.
    loadTypeScript().then(use, () => {}).finally(release);
  }

  private receive(chunk: Buffer): void {
    if (this.held) return void this.held.push(chunk);
    if (!this.sawInput && chunk.length > 0) {
      this.sawInput = true;
      const notice = this.options.presenter.foreign?.(chunk, this.options.server);
      if (notice !== undefined) {
        // Not ours to evaluate: say what this port is, and hang up.
        this.write(notice);
        return this.finish();
      }
    }
    let bytes = chunk;
    if (this.options.presenter.interactive) {
      const telnet = stripTelnet(chunk);
      bytes = telnet.data;
      if (telnet.interrupts > 0) this.ctrlC();
    }
    const items = this.reader.push(this.decoder.write(bytes));
    this.read(items);
    this.connection.framing(items.length > 0, this.reader.pending);
    if (items.length === 0 && this.running === undefined && this.queue.length === 0 && this.reader.pending && this.atLineEnd(bytes)) {
      this.write(this.options.presenter.prompt(true));
    }
  }

  private atLineEnd(bytes: Buffer): boolean {
    return bytes.length > 0 && bytes[bytes.length - 1] === 0x0a;
  }

  private read(items: ReaderItem[]): void {
    if (this.quitting) return;
    for (const item of items) {
      const bytes = item.kind === 'form' ? item.source.length : 0;
      this.queue.push({ item, settle: this.connection.begin(bytes) });
    }
    this.pump();
  }

  /** Starts the next form when none is running. */
  private pump(): void {
    const { presenter } = this.options;
    while (!this.connection.closed && !this.quitting && this.running === undefined && !this.preparing) {
      const next = this.queue.shift();
      if (!next) {
        if (this.inputEnded) this.finish();
        return;
      }
      const { item, settle } = next;
      if (item.kind === 'quit' || (item.kind === 'form' && presenter.interactive && item.source.trim() === '.exit')) {
        settle();
        return this.finish();
      }
      if (item.kind === 'too-large') {
        settle();
        this.write(presenter.tooLarge(item.chars));
        return this.finish();
      }
      const commandText = item.kind === 'form' ? presenter.command?.(item.source.trim()) : undefined;
      if (commandText !== undefined) {
        settle();
        this.write(commandText + presenter.prompt(false));
        continue;
      }
      if (item.error) {
        settle();
        this.write(presenter.readError(item.error, item.source) + presenter.prompt(false));
        continue;
      }
      this.evaluate(item.source, settle);
    }
  }

  private evaluate(source: string, settle: () => void): void {
    const result = prepareInput(source, { server: this.options.language, ns: NS });
    if (!(result instanceof Promise)) return this.start(source, settle, result);
    // TypeScript's stripper is loading (first TypeScript eval only): hold the queue until it is ready.
    this.preparing = true;
    whenPrepared(result, (prepared) => {
      this.preparing = false;
      if (this.connection.closed) return settle();
      this.start(source, settle, prepared);
      this.pump();
    });
  }

  private start(source: string, settle: () => void, prepared: PreparedEval): void {
    const { mainThread, presenter } = this.options;
    if (!prepared.ok) {
      settle();
      this.write(presenter.readError(prepared.error, source) + presenter.prompt(false));
      return;
    }
    if (prepared.copiedImports && !this.warnedImports) {
      this.warnedImports = true;
      this.output({ err: IMPORT_COPY_WARNING });
    }
    const onEvent = (event: CallEvent, final: boolean): void => {
      this.output(event);
      if (typeof event.value === 'string' || event.error) this.write(presenter.answer(event, source));
      if (final) this.settled(false);
    };
    const call = mainThread.call(
      'eval',
      {
        mode: 'eval',
        conn: this.conn,
        session: this.session,
        ephemeral: false,
        code: prepared.code,
        async: prepared.async,
        declared: prepared.declared,
        namespaced: prepared.namespaced,
        ns: NS,
        print: presenter.print,
        quietErrors: presenter.quietErrors,
      },
      onEvent,
    );
    const untrack = trackEval({
      session: this.session,
      call,
      kind: this.options.kind,
      server: this.options.server,
      client: this.options.client,
      code: source,
      stop: () => this.interrupt('nrepl-ts: evaluation interrupted by an operator'),
    });
    this.running = { call, source, settle, untrack };
  }

  /** Ends the running form's bookkeeping and starts the next one. */
  private settled(interrupted: boolean): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    running.untrack();
    running.settle();
    if (interrupted) this.options.mainThread.forget(running.call);
    if (!this.connection.closed) this.write(this.options.presenter.prompt(false));
    this.pump();
  }

  /** Stops the running eval (terminated, or abandoned when that is unsafe) and tells the client. */
  private async interrupt(reason: string): Promise<import('../nrepl/interrupter').InterruptOutcome> {
    const running = this.running;
    if (!running) return 'abandoned';
    const outcome = await this.options.interrupter.interrupt(running.call);
    if (this.running !== running) return outcome;
    const note = outcome === 'unsafe' ? `${reason}; ${busyCause(this.options.evalFlag)}` : reason;
    this.write(this.options.presenter.interrupted(running.source, note));
    this.settled(true);
    return outcome;
  }

  /** Ctrl-C: interrupts the running eval and drops what was typed ahead; at the prompt, clears the line. */
  private ctrlC(): void {
    for (const queued of this.queue.splice(0)) queued.settle();
    this.reader.end();
    if (this.running) {
      void this.interrupt('nrepl-ts: evaluation interrupted (Ctrl-C)');
    } else {
      this.write('\n(To exit, type .exit or close the connection)\n' + this.options.presenter.prompt(false));
    }
  }

  /** `:out`/`:err` of an event, during the eval or later (timers it started). */
  private output(event: CallEvent): void {
    const { presenter } = this.options;
    if (typeof event.out === 'string') this.write(presenter.out(event.out), true);
    if (typeof event.err === 'string') this.write(presenter.err(event.err), true);
  }

  /** Ends the connection after what is already written. */
  private finish(): void {
    if (this.quitting) return;
    this.quitting = true;
    for (const queued of this.queue.splice(0)) queued.settle();
    this.connection.end();
  }

  private cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    for (const queued of this.queue.splice(0)) queued.settle();
    const running = this.running;
    if (running) {
      // Nobody is left to stop it: a disconnected client's `while (true) {}` must not hold the host.
      void this.options.interrupter.stopForGone(running.call).finally(() => {
        running.untrack();
        this.options.mainThread.forget(running.call);
      });
      this.running = undefined;
    }
    this.closeLate();
    this.options.mainThread.notify('session-closed', { session: this.session });
    this.options.onClose?.();
  }
}
