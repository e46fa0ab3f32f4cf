/**
 * The messages exchanged between the host's main thread and the agent worker.
 *
 * The worker owns configuration and every socket; the main thread owns the
 * host's JavaScript world (evaluation, user accept functions).
 * Everything they say to each other is one of these plain, structured-
 * cloneable objects. No logic lives here.
 */
import type { CallMessage, EvalEvent, NotificationMessage } from './calls';

/** A running server as reported to the main thread and the public API. */
export interface ServerInfo {
  name: string;
  accept: string;
  /** TCP servers: the bound host and port. */
  host?: string;
  port?: number;
  /** Unix socket servers: absolute path. */
  socket?: string;
  /** `nrepl://127.0.0.1:7888`, `nrepls://…` for TLS, `nrepl+unix:/path` for sockets. */
  url: string;
  tls: boolean;
  /** Files to remove at process exit: the unix socket and the port file (only if it still holds `contents`). */
  cleanup: CleanupFile[];
}

/** A file the agent created and must remove when the process exits. */
export interface CleanupFile {
  path: string;
  /** Remove only if the file still holds exactly this text (port files). */
  contents?: string;
  /** Remove only if the file is still this one: `dev:ino` captured right after the agent created it. */
  id?: string;
}

/** Where a main-thread accept handler (a user's function) comes from. */
export type HandlerRef = { kind: 'module'; specifier: string; exportName: string; baseDir: string };

/** Worker → main. */
export type ToHost =
  | { t: 'ready'; servers: ServerInfo[]; problems: string[] }
  | { t: 'listening'; info: ServerInfo }
  | { t: 'stopped'; name: string }
  /** The process-list entry (server/registration.ts) now is this file: remove it at exit. */
  | { t: 'registered'; file: CleanupFile }
  | { t: 'keepalive'; count: number }
  | {
      t: 'accept';
      conn: number;
      server: string;
      client: string;
      handler: HandlerRef;
      args: unknown[];
      bindErr: boolean;
    }
  | { t: 'data'; conn: number; chunk: Uint8Array }
  /** The client's input ended (`inputOnly`, a half-close: it may still read), or the connection is gone. */
  | { t: 'end'; conn: number; inputOnly?: boolean }
  | { t: 'reply'; rid: number; ok: true; value: unknown }
  | { t: 'reply'; rid: number; ok: false; error: { code: string; message: string } }
  /** A call or notification of seam/calls.ts. */
  | CallMessage
  | NotificationMessage;

/** Main → worker. */
export type ToWorker =
  | { t: 'write'; conn: number; chunk: Uint8Array | string }
  | { t: 'close'; conn: number }
  /** The handler's input stream is full (stop reading the client) or drained again. */
  | { t: 'input-full'; conn: number; full: boolean }
  | { t: 'api'; rid: number; op: 'start'; spec: unknown }
  | { t: 'api'; rid: number; op: 'stop'; name: string }
  | { t: 'api'; rid: number; op: 'stopAll' }
  | { t: 'api'; rid: number; op: 'list' }
  /**
   * One piece of a value stream (EvalEvent.valueStream): UTF-8 bytes, transferred, not copied.
   * With `stream?`, `runs` gives the byte length of each run that begins in it (a run may go on
   * in the next pieces). `last` ends the stream and says whether the quota cut it; `failed`
   * ends it without its bytes (its connection must close: the reply cannot be completed).
   */
  | { t: 'valuePiece'; stream: number; bytes: Uint8Array; runs?: number[]; last: boolean; truncated?: boolean; failed?: boolean }
  /** Events of a call, in its kind's event type (seam/calls.ts); `final` marks the last batch. */
  | { t: 'evalReply'; call: number; events: Array<EvalEvent & Record<string, unknown>>; final: boolean };

/** What the gate passes to the worker at start. */
export interface WorkerBoot {
  /** 'preload': load config and start servers; 'api': start nothing until asked. */
  mode: 'preload' | 'api';
  cwd: string;
  /** True when a parent process already runs the agent (see gate.ts): no implicit default server. */
  descendant: boolean;
  /** Shared flag for NREPL_STRICT: [0] = 0 pending, 1 ok, 2 failed. */
  strictFlag?: Int32Array;
  /** Config report flag (main/exit-report.ts): [0] = 1 once the worker reported the config; [1] = who prints it. */
  reportFlag?: Int32Array;
  /** The shared slots of seam/eval-slots.ts: the running call, output in flight, the cancel ring. */
  evalFlag: Int32Array;
  /** The host's main script (`process.argv[1]`; a worker's own argv names the worker), for describe's app name. */
  mainScript?: string;
  /** How the host was started (worker/eval/language.ts); set by gate.ts when it starts the worker. */
  runtime?: { execArgv: string[]; nodeOptions?: string; main?: string };
}
