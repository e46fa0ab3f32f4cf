/**
 * An in-memory Transport (nREPL's `piped-transports`): the server side of a
 * connection whose replies are kept in a list instead of written to a
 * socket. Tests drive dispatch, sessions and interrupts through it without
 * a socket, and count requests in progress the way SocketConnection does.
 * Never used by the agent itself.
 */
import { FrameReader } from '../../shared/bencode/bencode';
import type { Message, ReplyWriter, Transport } from './transport';

/** Replies kept in memory, and the requests counted as in progress. */
export class MemoryTransport implements Transport {
  readonly sent: Message[] = [];
  inProgress = 0;
  closed = false;
  private readonly waiters = new Set<() => void>();

  /**
   * While a reply is written in parts: the open replies and the replies sent
   * behind them, in order, as SocketTransport keeps them. Empty otherwise.
   */
  private queue: Array<Message | MemoryReply> = [];

  send(message: Message, _droppable = false, stamp?: Message): void {
    if (this.closed) return;
    // What the socket encoder writes: the stamp's defined fields over the message's.
    const merged: Message = { ...message };
    for (const [key, value] of Object.entries(stamp ?? {})) if (value !== undefined) merged[key] = value;
    if (this.queue.length > 0) this.queue.push(merged);
    else this.deliver(merged);
  }

  /** The parts are decoded as their frames complete, once the reply's turn has come. */
  openReply(gone: () => void): ReplyWriter {
    const reply: MemoryReply = { reader: new FrameReader({ maxMessageBytes: 1 << 30 }), parts: [], ready: [], ended: false, gone };
    if (this.closed) {
      queueMicrotask(gone);
      return { write() {}, whenWritable() {}, end() {} };
    }
    this.queue.push(reply);
    const first = () => this.queue[0] === reply;
    return {
      write: (bytes, written) => {
        if (this.closed) return;
        if (!first()) return void reply.parts.push({ bytes, written });
        this.decode(reply, bytes);
        if (written) queueMicrotask(written);
      },
      whenWritable: (ready) => {
        if (this.closed) return;
        if (first()) queueMicrotask(ready);
        else reply.ready.push(ready);
      },
      end: () => {
        reply.ended = true;
        if (first()) this.advance();
      },
    };
  }

  private advance(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (!isReply(head)) {
        this.queue.shift();
        this.deliver(head);
        continue;
      }
      for (const part of head.parts.splice(0)) {
        this.decode(head, part.bytes);
        if (part.written) queueMicrotask(part.written);
      }
      if (!head.ended) {
        for (const ready of head.ready.splice(0)) queueMicrotask(ready);
        return;
      }
      this.queue.shift();
    }
  }

  private decode(reply: MemoryReply, bytes: Uint8Array): void {
    for (const message of reply.reader.push(Buffer.from(bytes))) this.deliver(message as Message);
  }

  private deliver(message: Message): void {
    this.sent.push(message);
    for (const wake of [...this.waiters]) wake();
  }

  begin(): () => void {
    this.inProgress += 1;
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.inProgress -= 1;
    };
  }

  close(): void {
    this.closed = true;
    // As a socket's close does: replies still open hear that their connection is gone.
    const open = this.queue.filter(isReply);
    this.queue = [];
    for (const reply of open) if (!reply.ended) reply.gone();
  }

  /** Resolves with the first reply (sent already or later) that matches `pred`; rejects after `ms`. */
  waitFor(pred: (m: Message) => boolean, ms = 2_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.sent.find(pred);
        if (!found) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = () => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching reply within ${ms} ms; sent: ${JSON.stringify(this.sent).slice(0, 400)}`));
      }, ms);
      this.waiters.add(wake);
      check();
    });
  }
}

/** A reply in parts kept by MemoryTransport until its turn. */
interface MemoryReply {
  reader: FrameReader;
  parts: Array<{ bytes: Uint8Array; written?: () => void }>;
  ready: Array<() => void>;
  ended: boolean;
  gone: () => void;
}

function isReply(entry: Message | MemoryReply): entry is MemoryReply {
  return entry.reader instanceof FrameReader;
}
