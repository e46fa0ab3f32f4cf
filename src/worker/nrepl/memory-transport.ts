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

  /** Replies sent while a reply is written in parts: kept back until it ends, as on a socket. */
  private behind: Message[] | undefined;

  send(message: Message, _droppable = false, stamp?: Message): void {
    if (this.closed) return;
    if (this.behind) {
      this.behind.push({ ...message, ...Object.fromEntries(Object.entries(stamp ?? {}).filter(([, v]) => v !== undefined)) });
      return;
    }
    // What the socket encoder writes: the stamp's defined fields over the message's.
    const merged: Message = { ...message };
    for (const [key, value] of Object.entries(stamp ?? {})) if (value !== undefined) merged[key] = value;
    this.sent.push(merged);
    for (const wake of [...this.waiters]) wake();
  }

  /** The parts are decoded as frames complete; one reply in parts at a time. */
  openReply(gone: () => void): ReplyWriter {
    if (this.closed || this.behind) {
      queueMicrotask(gone);
      return { write() {}, whenWritable() {}, end() {} };
    }
    const reader = new FrameReader({ maxMessageBytes: 1 << 30 });
    this.behind = [];
    return {
      write: (bytes, written) => {
        for (const message of reader.push(Buffer.from(bytes))) this.sent.push(message as Message);
        if (written) queueMicrotask(written);
      },
      whenWritable: (ready) => queueMicrotask(ready),
      end: () => {
        const behind = this.behind ?? [];
        this.behind = undefined;
        for (const message of behind) this.send(message);
      },
    };
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
