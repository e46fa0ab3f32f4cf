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
  /**
   * Opens a reply written in parts as they come (a long value the main thread
   * prints in pieces). Nothing else is written on the connection between its
   * parts: what is sent meanwhile follows it, in order. `gone` is called if
   * the connection closes before the reply ends.
   */
  openReply(gone: () => void): ReplyWriter;
  /** Counts a request of `bytes` as in progress until the returned function is called. */
  begin(bytes: number): () => void;
  /** Closes the connection after pending writes. */
  close(): void;
  readonly closed: boolean;
}

/** A reply being written in parts (Transport.openReply). */
export interface ReplyWriter {
  /**
   * Writes the next bytes of the reply: whole frames, or parts of one
   * (bencode.ts encodeHead). `written` is called when the connection no
   * longer needs them (never if it closes first).
   */
  write(bytes: Uint8Array, written?: () => void): void;
  /** Calls `ready` once the client can take more: at once, when it has read, or when the reply's turn comes. */
  whenWritable(ready: () => void): void;
  /** Ends the reply: what was sent behind it goes out now. */
  end(): void;
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
  /**
   * While a reply is open (openReply): the open replies and the frames sent
   * behind them, in order. Empty otherwise, and then frames go straight out.
   */
  private queue: Array<QueuedFrame | PartsReply> = [];
  /** Bytes of droppable frames waiting in the queue, of all frames there, and how many were shed past the output bound. */
  private queuedDroppable = 0;
  private queuedBytes = 0;
  private shedBehindReply = 0;
  private readonly outputBufferBytes: number;

  constructor(socket: net.Socket, options: TransportOptions) {
    this.reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes });
    this.onMessage = options.onMessage;
    this.outputBufferBytes = options.limits.outputBufferBytes;
    this.connection = new SocketConnection(socket, options.limits, {
      data: (chunk) => this.receive(chunk),
      close: () => {
        const open = this.queue.filter((entry): entry is PartsReply => entry instanceof PartsReply);
        this.queue = [];
        for (const reply of open) reply.gone();
        options.onClose();
      },
      dropped: (count) => this.reportDropped(count),
      resumed: () => this.deliver(),
    });
  }

  get closed(): boolean {
    return this.connection.closed;
  }

  send(message: Message, droppable = false, stamp?: Message): void {
    if (this.connection.closed) return;
    if (this.queue.length > 0) {
      // Behind an open reply: droppable output is bounded here as it is in the socket.
      const frame = encode(message, stamp);
      if (droppable && this.queuedDroppable > this.outputBufferBytes) {
        this.shedBehindReply += 1;
        this.noteDropped(message, stamp);
        return;
      }
      if (droppable) this.queuedDroppable += frame.length;
      this.queue.push({ frame, droppable });
      // A client that asks without reading must not grow this queue without bound: stop reading it.
      this.queuedBytes += frame.length;
      this.connection.holdForQueue(this.queuedBytes);
      return;
    }
    this.writeFrame(encode(message, stamp), droppable, message, stamp);
  }

  openReply(gone: () => void): ReplyWriter {
    const reply = new PartsReply(this, gone);
    if (this.connection.closed) {
      queueMicrotask(gone);
      return reply;
    }
    this.queue.push(reply);
    return reply;
  }

  /** @internal PartsReply's: writes its bytes now if it is first in line, else keeps them. */
  replyWrite(reply: PartsReply, bytes: Uint8Array, written?: () => void): void {
    if (this.connection.closed) return;
    if (this.queue[0] === reply) this.writeFrame(bytes, false, undefined, undefined, written);
    else reply.parts.push({ bytes, written });
  }

  /** @internal */
  replyWhenWritable(reply: PartsReply, ready: () => void): void {
    if (this.connection.closed) return;
    if (this.queue[0] === reply) this.connection.whenWritable(ready);
    else reply.waiting.push(ready);
  }

  /** @internal */
  replyEnd(reply: PartsReply): void {
    reply.ended = true;
    if (this.queue[0] === reply) this.advance();
  }

  /** Writes what waits behind the first reply that ended, up to the next reply still open. */
  private advance(): void {
    while (this.queue.length > 0 && !this.connection.closed) {
      const head = this.queue[0]!;
      if (!(head instanceof PartsReply)) {
        this.queue.shift();
        if (head.droppable) this.queuedDroppable -= head.frame.length;
        this.queuedBytes -= head.frame.length;
        this.writeFrame(head.frame, false);
        continue;
      }
      for (const part of head.parts) this.writeFrame(part.bytes, false, undefined, undefined, part.written);
      head.parts = [];
      if (!head.ended) {
        const waiting = head.waiting;
        head.waiting = [];
        for (const ready of waiting) this.connection.whenWritable(ready);
        return;
      }
      this.queue.shift();
    }
    this.connection.holdForQueue(this.queuedBytes);
    if (this.shedBehindReply > 0 && this.queue.length === 0) {
      const count = this.shedBehindReply;
      this.shedBehindReply = 0;
      this.reportDropped(count);
    }
  }

  private writeFrame(frame: Uint8Array, droppable: boolean, message?: Message, stamp?: Message, written?: () => void): void {
    const socket = this.connection.socket;
    if (!this.corked) {
      // Responses produced in the same tick (value, then done) leave in one write. Writing a
      // `done` at once instead measured no better p50 and cost pipelined throughput (one
      // writev per request): docs/performance.md.
      this.corked = true;
      socket.cork();
      process.nextTick(() => this.uncork());
    }
    if (!this.connection.write(frame, droppable, written) && message) this.noteDropped(message, stamp);
  }

  /** Remembers where the last dropped output belonged, for the notice. */
  private noteDropped(message: Message, stamp: Message | undefined): void {
    this.droppedFrom = {};
    const id = stamp?.id ?? message.id;
    const session = stamp?.session ?? message.session;
    if (typeof id === 'string') this.droppedFrom.id = id;
    if (typeof session === 'string') this.droppedFrom.session = session;
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

/** A frame sent while a reply is open, waiting for its turn. */
interface QueuedFrame {
  frame: Buffer;
  droppable: boolean;
}

/** A reply of SocketTransport written in parts; its bytes wait in `parts` until its turn. */
class PartsReply implements ReplyWriter {
  parts: Array<{ bytes: Uint8Array; written?: () => void }> = [];
  waiting: Array<() => void> = [];
  ended = false;

  constructor(
    private readonly transport: SocketTransport,
    readonly gone: () => void,
  ) {}

  write(bytes: Uint8Array, written?: () => void): void {
    this.transport.replyWrite(this, bytes, written);
  }

  whenWritable(ready: () => void): void {
    this.transport.replyWhenWritable(this, ready);
  }

  end(): void {
    if (!this.ended) this.transport.replyEnd(this);
  }
}
