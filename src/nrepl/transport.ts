/**
 * The bencode transport of one nREPL connection: socket bytes in, decoded
 * messages out; messages in, one complete frame per socket write out.
 *
 * It owns the socket's framing and flow, not its meaning: what a message asks
 * for is ops.ts's business. A stream that cannot be decoded any more (bad
 * frame, oversize, not a dict) gets one error response and a clean close;
 * other connections never notice.
 *
 * Flow control, so a client that does not read cannot grow the host's memory:
 * - when more than `outputBufferBytes` wait in the socket, output messages
 *   (`out`/`err`) are dropped — never values or statuses — and once the
 *   client has read everything, one `err` tells it how many were dropped, on
 *   the id and session of the last dropped message;
 * - when replies that cannot be dropped pile up beyond twice that (a client
 *   sending requests without reading the answers), the socket is no longer
 *   read until the client catches up: its requests wait in the kernel, not
 *   here.
 */
import type * as net from 'node:net';
import { encode, FrameReader, type DecodedMessage, type Encodable } from './bencode';

/** What a response may contain. */
export type Message = { [key: string]: Encodable };

export interface TransportOptions {
  maxMessageBytes: number;
  outputBufferBytes: number;
  onMessage: (message: DecodedMessage) => void;
  onClose: () => void;
}

/** A connection's transport. */
export class SocketTransport {
  private readonly reader: FrameReader;
  private dropped = 0;
  /** id and session of the last dropped output message, for the notice. */
  private droppedFrom: Message = {};
  private corked = false;
  private paused = false;
  closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: TransportOptions,
  ) {
    this.reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.once('close', () => {
      this.closed = true;
      options.onClose();
    });
    socket.on('drain', () => {
      this.reportDropped();
      if (this.paused && !this.closed) {
        this.paused = false;
        socket.resume();
      }
    });
  }

  /** Sends one message as one write. `droppable` output may be shed when the client does not read. */
  send(message: Message, droppable = false): void {
    if (this.closed || this.socket.destroyed) return;
    if (droppable && this.socket.writableLength > this.options.outputBufferBytes) {
      this.dropped += 1;
      this.droppedFrom = {};
      if (typeof message.id === 'string') this.droppedFrom.id = message.id;
      if (typeof message.session === 'string') this.droppedFrom.session = message.session;
      return;
    }
    if (!this.corked) {
      // Responses produced in the same tick (value, then done) leave in one write.
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encode(message));
    if (!this.paused && this.socket.writableLength > 2 * this.options.outputBufferBytes) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** Closes the connection after pending writes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    const messages = this.reader.push(chunk);
    for (const message of messages) this.options.onMessage(message);
    const error = this.reader.error;
    if (error) {
      // bencode has no delimiter to resynchronise on: answer once, then close.
      const reply: Message = { status: ['error', error.code, 'done'], err: `nrepl-ts: ${error.message}\n` };
      if (error.id !== undefined) reply.id = String(error.id);
      if (error.session !== undefined) reply.session = String(error.session);
      this.send(reply);
      this.close();
    }
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    const count = this.dropped;
    this.dropped = 0;
    const from = this.droppedFrom;
    this.droppedFrom = {};
    this.send({ ...from, err: `nrepl-ts: dropped ${count} output message(s): the client did not read fast enough (output-buffer-bytes)\n` });
  }
}
