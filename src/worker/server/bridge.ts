/**
 * Worker side of the stream bridge: a socket whose accept handler runs on the
 * main thread (user accept functions) is pumped over the worker's message
 * port. Bytes from the client become `data` messages; `write`/`close` from
 * the main thread go back to the socket.
 *
 * Flow control is the shared connection layer's (connection/
 * socket-connection.ts): output beyond output-buffer-bytes waiting in the
 * socket is dropped (a handler's bytes have no framing we could keep whole,
 * so the host's stderr gets one line per episode instead of a notice in the
 * stream), and the client's input stops being read while the handler's input
 * stream on the main thread is full (`input-full` / `input-drained`).
 */
import type * as net from 'node:net';
import type { HandlerRef, ToHost } from '../../seam/channel';
import { SocketConnection, type FlowLimits } from '../connection/socket-connection';
import { say } from '../../log';

/** What the main thread needs to start the handler. */
export interface BridgeOpen {
  server: string;
  client: string;
  handler: HandlerRef;
  args: unknown[];
  bindErr: boolean;
}

/** Connection table of bridged sockets. */
export class Bridge {
  private readonly connections = new Map<number, { connection: SocketConnection }>();
  private nextConn = 0;

  constructor(private readonly post: (m: ToHost) => void) {}

  /** Announces the connection to the main thread and starts pumping its bytes. */
  open(socket: net.Socket, open: BridgeOpen, limits: FlowLimits): void {
    const conn = ++this.nextConn;
    this.post({ t: 'accept', conn, ...open });
    // `echo code | nc -N host port` ends its input and waits for the answers: keep our side open
    // until the handler closes it, and tell the handler its input ended.
    socket.allowHalfOpen = true;
    // A handler reads a stream of its own: no frames to time, so no frame timeout.
    const connection = new SocketConnection(socket, { ...limits, frameTimeoutMs: 0 }, {
      data: (chunk) => this.post({ t: 'data', conn, chunk }),
      end: () => {
        if (this.connections.has(conn)) this.post({ t: 'end', conn, inputOnly: true });
      },
      close: () => {
        if (this.connections.delete(conn)) this.post({ t: 'end', conn });
      },
      dropped: (count) =>
        say(`server ${open.server}: client ${open.client}: dropped ${count} write(s) of ${open.handler.specifier}#${open.handler.exportName}: the client did not read fast enough (output-buffer-bytes)`),
    });
    this.connections.set(conn, { connection });
  }

  /** Writes bytes from the main thread to the client; shed while the client is behind. */
  write(conn: number, chunk: Uint8Array | string): void {
    this.connections.get(conn)?.connection.write(chunk, true);
  }

  /** The handler's input stream is full (`full`) or has drained: stop or resume reading the client. */
  inputFull(conn: number, full: boolean): void {
    this.connections.get(conn)?.connection.holdInput(full);
  }

  /** Closes the client at the main thread's request (handler finished). */
  close(conn: number): void {
    const entry = this.connections.get(conn);
    if (!entry) return;
    this.connections.delete(conn);
    entry.connection.end();
  }
}
