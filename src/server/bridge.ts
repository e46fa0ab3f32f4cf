/**
 * Worker side of the stream bridge: a socket whose accept handler runs on the
 * main thread (user accept functions) is pumped over the worker's message
 * port. Bytes from the client become `data` messages; `write`/`close` from
 * the main thread go back to the socket.
 */
import type * as net from 'node:net';
import type { HandlerRef, ToHost } from '../agent/channel';

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
  private readonly sockets = new Map<number, net.Socket>();
  private nextConn = 0;

  constructor(private readonly post: (m: ToHost) => void) {}

  /** Announces the connection to the main thread and starts pumping its bytes. */
  open(socket: net.Socket, open: BridgeOpen): void {
    const conn = ++this.nextConn;
    this.sockets.set(conn, socket);
    this.post({ t: 'accept', conn, ...open });
    // `echo code | nc -N host port` ends its input and waits for the answers: keep our side open
    // until the handler closes it, and tell the handler its input ended.
    socket.allowHalfOpen = true;
    socket.on('data', (chunk: Buffer) => this.post({ t: 'data', conn, chunk }));
    socket.once('end', () => {
      if (this.sockets.has(conn)) this.post({ t: 'end', conn, inputOnly: true });
    });
    socket.once('close', () => {
      if (this.sockets.delete(conn)) this.post({ t: 'end', conn });
    });
  }

  /** Writes bytes from the main thread to the client. */
  write(conn: number, chunk: Uint8Array | string): void {
    const socket = this.sockets.get(conn);
    if (socket && !socket.destroyed) socket.write(chunk);
  }

  /** Closes the client at the main thread's request (`.exit`, handler finished). */
  close(conn: number): void {
    const socket = this.sockets.get(conn);
    if (!socket) return;
    this.sockets.delete(conn);
    socket.end();
    // A client that never reads would keep a half-closed socket forever.
    setTimeout(() => socket.destroy(), 2000).unref();
  }
}
