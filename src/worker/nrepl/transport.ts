/**
 * The bencode transport of one nREPL connection: socket bytes in, decoded
 * messages out; messages in, one complete frame per socket write out.
 *
 * It owns the socket's framing and flow, not its meaning: what a message asks
 * for is ops.ts's business. A stream that cannot be decoded any more (bad
 * frame, oversize, not a dict) gets one error response and a clean close;
 * other connections never notice.
 *
 * Flow control (dropping output, pausing input, timeouts) is the shared
 * connection layer's (connection/socket-connection.ts); this module only
 * frames. Dropped output is reported with one `err`, on the id and session
 * of the last dropped message.
 */
import type * as net from 'node:net';
import { SocketConnection, type FlowLimits } from '../connection/socket-connection';
import { encode, FrameReader, type DecodedMessage, type Encodable } from '../../shared/bencode/bencode';

/** What a response may contain. */
export type Message = { [key: string]: Encodable };

/** What the ops see of a connection: replies out, requests counted while in progress. */
export interface Transport {
  /**
   * Sends one message as one write. `droppable` output may be shed while the client does not read.
   * `stamp` fields (id, session, a final status) override the message's where defined.
   */
  send(message: Message, droppable?: boolean, stamp?: Message): void;
  /** Counts a request of `bytes` as in progress until the returned function is called. */
  begin(bytes: number): () => void;
  /** Closes the connection after pending writes. */
  close(): void;
  readonly closed: boolean;
}

export interface TransportOptions {
  maxMessageBytes: number;
  limits: FlowLimits;
  onMessage: (message: DecodedMessage) => void;
  onClose: () => void;
}

/** A connection's bencode transport over a socket. */
export class SocketTransport implements Transport {
  private readonly reader: FrameReader;
  private readonly connection: SocketConnection;
  /** id and session of the last dropped output message, for the notice. */
  private droppedFrom: Message = {};
  private corked = false;
  /** Requests decoded from one read while the connection is held: handed on as it resumes. */
  private backlog: DecodedMessage[] = [];
  private delivering = false;
  private readonly onMessage: (message: DecodedMessage) => void;

  constructor(socket: net.Socket, options: TransportOptions) {
    this.reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes });
    this.onMessage = options.onMessage;
    this.connection = new SocketConnection(socket, options.limits, {
      data: (chunk) => this.receive(chunk),
      close: options.onClose,
      dropped: (count) => this.reportDropped(count),
      resumed: () => this.deliver(),
    });
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  send(message: Message, droppable = false, stamp?: Message): void {
    if (this.connection.closed) return;
    const socket = this.connection.socket;
    if (!this.corked) {
      // Responses produced in the same tick (value, then done) leave in one write. Writing a
      // `done` at once instead measured no better p50 and cost pipelined throughput (one
      // writev per request): docs/performance.md.
      this.corked = true;
      socket.cork();
      process.nextTick(() => this.uncork());
    }
    if (!this.connection.write(encode(message, stamp), droppable)) {
      this.droppedFrom = {};
      const id = stamp?.id ?? message.id;
      const session = stamp?.session ?? message.session;
      if (typeof id === 'string') this.droppedFrom.id = id;
      if (typeof session === 'string') this.droppedFrom.session = session;
    }
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.connection.socket.uncork();
  }

  begin(bytes: number): () => void {
    return this.connection.begin(bytes);
  }

  close(): void {
    this.connection.end();
  }

  private receive(chunk: Buffer): void {
    const messages = this.reader.push(chunk);
    if (this.backlog.length === 0) this.backlog = messages;
    else this.backlog.push(...messages);
    this.deliver();
    const error = this.reader.error;
    if (error) {
      // bencode has no delimiter to resynchronise on: answer once, then close.
      const reply: Message = { status: ['error', error.code, 'done'], err: `nrepl-ts: ${error.message}\n` };
      if (error.id !== undefined) reply.id = String(error.id);
      if (error.session !== undefined) reply.session = String(error.session);
      this.send(reply);
      this.close();
      return;
    }
    this.connection.framing(messages.length > 0, this.reader.bufferedBytes > 0);
  }

  /** Hands decoded requests on until the connection holds (one read can carry a thousand). */
  private deliver(): void {
    // A request answered at once can release a hold inside onMessage: the running loop goes on by itself.
    if (this.delivering) return;
    this.delivering = true;
    let i = 0;
    try {
      while (i < this.backlog.length && !this.connection.inputHeld && !this.connection.closed) this.onMessage(this.backlog[i++]!);
    } finally {
      this.delivering = false;
      this.backlog = i === this.backlog.length ? [] : this.backlog.slice(i);
    }
  }

  private reportDropped(count: number): void {
    const from = this.droppedFrom;
    this.droppedFrom = {};
    this.send({ ...from, err: `nrepl-ts: dropped ${count} output message(s): the client did not read fast enough (output-buffer-bytes)\n` });
  }
}
