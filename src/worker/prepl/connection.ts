/**
 * One prepl client, in the agent worker: the prepl's presenter over the
 * shared form connection (connection/form-connection.ts), which reads
 * forms, evaluates them one at a time and applies flow control.
 *
 * Per form, exactly one `:ret`: the value, or the exception as data
 * (`:phase :read-source` for a syntax error, with no `:form` and no `:ms`;
 * `:phase :execution` for a thrown error, with no `:ms`). Output the form
 * writes — also later, from timers and callbacks it started — arrives as
 * `:out`/`:err`, which are shed (never a `:ret`) while the client does not
 * read, with one `:err` saying how many once it catches up. `:repl/quit`,
 * or the end of the client's input, ends the connection once the forms
 * already read have been answered. An eval interrupted by an operator, or by
 * its client's disconnect, answers with an exceptional `:ret`.
 */
import type * as net from 'node:net';
import type { CallEvent, MainThreadLink } from '../main-thread-link';
import { FormConnection, type Presenter } from '../connection/form-connection';
import { preplNotice, startsBencodeDict } from '../../shared/foreign';
import type { FlowLimits } from '../connection/socket-connection';
import type { Language } from '../eval/language';
import type { Interrupter } from '../nrepl/interrupter';
import { ednThrowable, formatMessage, jsonThrowable, type PreplEvent, type PreplFormat, type PrintedValue } from './messages';
import type { ReadError } from '../../shared/form-reader';
import { readErrorData, throwableData, type ErrorReport, type ThrowableData } from '../../shared/print/throwable';

/** What a connection needs. */
export interface PreplConnectionOptions {
  socket: net.Socket;
  mainThread: MainThreadLink;
  interrupter: Interrupter;
  evalFlag: Int32Array;
  format: PreplFormat;
  server: string;
  client: string;
  /** Largest form accepted (max-message-bytes, counted in characters). */
  maxChars: number;
  limits: FlowLimits;
  /** Called once when the socket has closed. */
  onClose: () => void;
  /** The language the server's args ask for (eval/language.ts), if any. */
  language?: Language;
}

const NS = 'user';

/** The print keys sent with every eval, per format (resolved on the main thread by eval/print.ts). */
const PRINT: Record<PreplFormat, Record<string, unknown>> = {
  edn: { 'nrepl.middleware.print/print': 'nrepl-ts/edn' },
  // caught/print? makes the evaluator add the error text (stack and causes) for `val`.
  json: { 'nrepl.middleware.print/print': 'nrepl-ts/prepl-json', 'nrepl.middleware.caught/print?': 'true' },
};

/** A printed value from the main thread in the connection's format. */
export function printedValue(text: string, format: PreplFormat): PrintedValue {
  if (format === 'edn') return { edn: text };
  try {
    const pair = JSON.parse(text) as { val?: unknown; data?: unknown };
    if (typeof pair.val === 'string') return { text: pair.val, data: pair.data };
  } catch {
    // Not the prepl-json printer's pair (should not happen): show the text as it is.
  }
  return { text };
}

/** The prepl's presenter for one format. */
function preplPresenter(format: PreplFormat): Presenter {
  const message = (event: PreplEvent): string => formatMessage(event, format);
  const exception = (data: ThrowableData, text: string, form?: string): string => {
    const value = format === 'edn' ? ednThrowable(data) : jsonThrowable(data, text);
    return message({ tag: 'ret', value, ns: NS, form, exception: true });
  };
  const readError = (error: ReadError): string =>
    exception(readErrorData(error), `SyntaxError: ${error.message} (${error.line}:${error.column})`);
  return {
    print: PRINT[format],
    quietErrors: true,
    interactive: false,
    prompt: () => '',
    out: (text) => message({ tag: 'out', text }),
    err: (text) => message({ tag: 'err', text }),
    answer(event: CallEvent, source: string): string {
      if (typeof event.value === 'string') {
        const ns = typeof event.ns === 'string' ? event.ns : NS;
        return message({ tag: 'ret', value: printedValue(event.value, format), ns, ms: Number(event.ms) || 0, form: source });
      }
      const report = event.error as Partial<ErrorReport> & { throwable?: string };
      const full: ErrorReport = { ex: report.ex ?? 'Error', message: report.message ?? '', stack: report.stack, causes: report.causes ?? [] };
      const text = (report.throwable ?? `${full.ex}: ${full.message}`).replace(/\n$/, '');
      return exception(throwableData(full, 'execution'), text, source);
    },
    readError,
    tooLarge: (chars) => {
      const error = { name: 'RangeError', message: `form of ${chars} characters exceeds max-message-bytes; connection closed`, line: 1, column: 1 };
      return exception(readErrorData(error), `RangeError: ${error.message}`);
    },
    interrupted: (source, note) => {
      const full: ErrorReport = { ex: 'Error', message: note, causes: [] };
      return exception(throwableData(full, 'execution'), `Error: ${note}`, source);
    },
    dropped: (count) =>
      message({ tag: 'err', text: `nrepl-ts: dropped ${count} output message(s): the client did not read fast enough (output-buffer-bytes)\n` }),
    // An nREPL client sends bencode and never a newline: answer (as prepl data) instead of waiting forever for a form.
    foreign: (head, server) => (startsBencodeDict(head) ? message({ tag: 'err', text: preplNotice(server) }) : undefined),
  };
}

/** A connected prepl client. */
export class PreplConnection {
  readonly format: PreplFormat;
  private readonly connection: FormConnection;

  constructor(options: PreplConnectionOptions) {
    this.format = options.format;
    this.connection = new FormConnection({ ...options, presenter: preplPresenter(options.format), kind: 'prepl' });
  }

  /** Sends a message; `droppable` ones (output, taps) are shed while the client does not read. */
  send(event: PreplEvent, droppable = false): void {
    this.connection.write(formatMessage(event, this.format), droppable);
  }

  /** A printed value from the main thread in this connection's format. */
  printed(text: string): PrintedValue {
    return printedValue(text, this.format);
  }
}
