/**
 * The calls the worker makes into the host's world, typed at both ends (the
 * shape of vscode-jsonrpc's RequestType / NotificationType): each call kind
 * has its payload and the events it answers with; each notification kind
 * its payload and no answer. worker/main-thread-link.ts sends them,
 * main/worker-calls.ts answers them; the compiler checks both against this
 * table, so a field renamed on one side fails to build on the other.
 *
 * On the wire a call is `{t: 'eval', call, kind, ...payload}` (call 0 for a
 * notification) and its answers come back as `evalReply` batches of events.
 */

/** An error as the evaluator reports it. */
export interface ErrorReport {
  ex: string;
  rootEx: string;
  message?: string;
  stack?: string;
  causes?: Array<{ ex: string; message: string }>;
  /** The printed error text, when the request asked for `nrepl.middleware.caught/print?`. */
  throwable?: string;
}

/** Fields every event may carry: output, and where late output belongs. */
export interface OutputEvent {
  out?: string;
  err?: string;
  /** Stamped on output so late output (after the call's end) still finds its connection. */
  conn?: number;
  id?: string;
  session?: string;
}

/** An evaluation request (nREPL eval/load-file, prepl and plain-REPL forms). */
export interface EvalPayload {
  mode: 'eval' | 'load-file';
  conn: number;
  id?: string;
  session: string;
  /** A throw-away session (nREPL request without a session): its state goes with the call. */
  ephemeral: boolean;
  code: string;
  async: boolean;
  /** Names the code declares at top level (worker/eval/transform.ts): never bound by the scope. */
  declared?: string[];
  /** Namespaced code: declarations live in the namespace of `ns` (main/eval/namespaces.ts). */
  namespaced?: { references?: string[] };
  file?: string;
  line?: number;
  column?: number;
  ns?: string;
  print: Record<string, unknown>;
  /** Structured clients (prepl) report errors as data only: no `err` text. */
  quietErrors?: boolean;
  /**
   * The caller can write a long printed value as it comes (nREPL eval): such a value
   * arrives as a value stream (EvalEvent.valueStream), never whole in the worker.
   */
  pieces?: boolean;
  /** load-file: the file's text as sent, before any transform, for loading it as its module. */
  source?: string;
  /** load-file of a file on disk whose text the transform rejected: reported unless it loads as a module. */
  syntaxError?: { message: string; line: number; column: number };
}

/** What an evaluation answers with, as it runs and at its end. */
export interface EvalEvent extends OutputEvent {
  value?: string;
  /**
   * In place of `value` (payload `pieces`): the printed value comes in `valuePiece`
   * messages of this stream as the worker pulls them. `bytes` is its UTF-8 length
   * (after the quota) when sent whole; with `stream?` the runs come ready-cut.
   */
  valueStream?: { stream: number; bytes?: number };
  ns?: string;
  ms?: number;
  truncated?: boolean;
  printError?: string;
  error?: ErrorReport;
  /** The eval waits for stdin (`$readLine()`): the client gets need-input. */
  needInput?: boolean;
  /** Printed taps for the prepl's listeners (main/eval/tap-sender.ts). */
  tap?: { edn?: string; json?: string };
}

/** Every call with an answer: its payload and its events. */
export interface Calls {
  eval: { payload: EvalPayload; event: EvalEvent };
  /** Answers as soon as the main thread runs JavaScript again (the interrupter asks). */
  ping: { payload: Record<string, never>; event: Record<string, never> };
  complete: { payload: { prefix: string; session?: string; ns?: string }; event: { completions?: unknown[] } };
  lookup: { payload: { sym: string; ns?: string }; event: { info?: unknown } };
  /** The host's own output, copied to one connection until it closes. */
  'forward-system-output': { payload: { conn: number }; event: OutputEvent };
}

/** Every notification: payload only, no answer. */
export interface Notifications {
  stdin: { session: string; text: string };
  'session-closed': { session: string };
  'connection-closed': { conn: number };
  /** How many prepl clients read taps, per format, and the connection their taps go to. */
  'tap-listeners': { conn: number; edn: number; json: number };
  /** The worker stopped waiting for this call (interrupted or its client gone). */
  abandon: { target: number };
  /** The worker can take `pieces` more pieces of this value stream (main/eval/value-streams.ts). */
  /** `spare`: the bytes of a written piece, given back (transferred) to be filled again. */
  'value-pull': { stream: number; pieces: number; spare?: Uint8Array };
  /** The worker will take no more of this value stream: its client is gone. */
  'value-drop': { stream: number };
  /** Output of a connection that is gone, handed back to the host's streams. */
  'unclaimed-output': { out?: string; err?: string };
}

export type CallKind = keyof Calls;
export type NotificationKind = keyof Notifications;

/** A call on the wire, one member per kind. */
export type CallMessage = { [K in CallKind]: { t: 'eval'; call: number; kind: K } & Calls[K]['payload'] }[CallKind];
/** A notification on the wire, one member per kind. */
export type NotificationMessage = { [K in NotificationKind]: { t: 'eval'; call: 0; kind: K } & Notifications[K] }[NotificationKind];

/** Any event of any call, as the worker receives it before it knows the call. */
export type AnyCallEvent = EvalEvent | Calls[CallKind]['event'];
