/**
 * The accept contract: what an accept function (built-in `nrepl-ts/repl` or
 * a user's `./tools/accept.js#handle`) receives for each client. The Node
 * counterpart of clojure.core.server binding `*in*`, `*out*`, `*err*` and
 * `*session*` before applying the accept fn to `:args`.
 *
 * Accept functions run on the host's main thread, with the host's modules
 * and globals, and are called as `handler(client, ...args)`.
 */
import type { Readable, Writable } from 'node:stream';

/** One connected client, as seen by an accept function. */
export interface AcceptClient {
  /** Bytes the client sends. Ends when the client disconnects. */
  readonly input: Readable;
  /** Writes to the client. */
  readonly output: Writable;
  /** Error output: the client's socket when `bind-err` is true (default), else the host's stderr. */
  readonly error: Writable;
  /** The server's name (`repl` for `NREPL_SERVER_REPL`). */
  readonly server: string;
  /** The client's id, unique per server: "1", "2", ... */
  readonly client: string;
  /** The spec's `args`, also passed as extra arguments to the handler. */
  readonly args: readonly unknown[];
  /** Closes the connection (idempotent). */
  close(): void;
  /** True once the client is gone or close() was called. */
  readonly closed: boolean;
}

/** An accept function. A returned promise that rejects is reported and closes the connection. */
export type AcceptHandler = (client: AcceptClient, ...args: unknown[]) => void | Promise<void>;
