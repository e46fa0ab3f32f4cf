/**
 * The socket side of every protocol connection (nREPL, prepl, the plain REPL,
 * bridged custom accept functions), in the agent worker. It owns flow and
 * lifetime, never meaning: protocols hand it bytes to write and tell it when
 * a request starts and ends; it never parses anything.
 *
 * What it guarantees, so no client behaviour can grow the host's memory or
 * hold a slot forever (README "Safety and security"):
 * - output: while more than `outputBufferBytes` wait in the socket, droppable
 *   output (a program's out/err, taps) is shed and counted; once the client
 *   has read everything, the protocol is asked to write one notice with the
 *   count. Replies that cannot be dropped are written regardless, but while
 *   more than twice the buffer waits, the socket is no longer read: a client
 *   that sends without reading is held back by TCP, not by our memory.
 * - input: while `maxPendingRequests` requests, or `maxPendingBytes` of their
 *   text, are accepted and not finished (queued behind a busy session, or
 *   running), the socket is not read either. Excess input waits in the
 *   kernel; nothing is refused.
 * - time: a connection that has not completed a frame within `frameTimeoutMs`
 *   of connecting, or that leaves a frame unfinished for that long
 *   (slowloris), is closed. A connection idle between frames is never cut.
 * - close: `end()` flushes and half-closes, and destroys the socket two
 *   seconds later if the client never finishes reading.
 * - a client that ended its input may be waiting for answers (`echo code |
 *   nc -N`) or may be gone (nc killed with Ctrl-C): both send the same FIN.
 *   While a protocol still owes it answers, `watchPeer` tells them apart for
 *   loopback TCP on Linux (the client's socket has no owner any more,
 *   proc-net-tcp.ts) and destroys the connection of a client that is gone.
 *   The same watch runs while reading has been held for a second: a socket
 *   that is not read never sees its client leave, and would keep its slot
 *   and its queued work until that work is done.
 */
import type * as net from 'node:net';
import { systemLookups } from './proc-net-tcp';
import { isLoopback as isLoopbackAddress } from '../../shared/config/exposure';

/** The bounds of one connection. */
export interface FlowLimits {
  /** Droppable output is shed while more than this many bytes wait in the socket. */
  outputBufferBytes: number;
  /** Reading pauses while this many requests are in progress. */
  maxPendingRequests: number;
  /** Reading pauses while the requests in progress hold this many bytes of input. */
  maxPendingBytes: number;
  /** Closes a connection whose first frame, or any started frame, is not complete after this long; 0 never. */
  frameTimeoutMs: number;
}

/** Defaults that keep one connection within a few tens of MB (README "Safety and security"). */
export const DEFAULT_FLOW_LIMITS: Omit<FlowLimits, 'outputBufferBytes'> = {
  maxPendingRequests: 256,
  maxPendingBytes: 8 * 1024 * 1024,
  frameTimeoutMs: 60_000,
};

/** What the protocol above hears from its connection. */
export interface ConnectionEvents {
  /** Bytes from the client. */
  data(chunk: Buffer): void;
  /** The client ended its side (it may still read). */
  end?(): void;
  /** The socket is gone, for whatever reason; called once. */
  close(): void;
  /** `count` droppable writes were shed and the client has caught up: write one notice. */
  dropped(count: number): void;
  /** The frame timeout is about to close the connection: a last word, if the protocol has one. */
  timedOut?(): void;
  /** Reading resumed after a hold: requests the protocol decoded but kept back may go on now. */
  resumed?(): void;
}

const CLOSE_GRACE_MS = 2_000;
/**
 * What a reply written in parts may have waiting in the socket before its
 * next part is asked for: about two pieces (main/eval/value-streams.ts), so
 * the socket never holds much of a long value (the output bound is 8 MB).
 */
const REPLY_AHEAD_BYTES = 256 * 1024;
/** How long reading may be held before the connection starts checking that its client is still there. */
const HELD_WATCH_MS = 1_000;

/** One client socket under flow control. */
export class SocketConnection {
  closed = false;
  private droppedCount = 0;
  private pendingRequests = 0;
  private pendingBytes = 0;
  private heldByOutput = false;
  private heldByInput = false;
  private heldByConsumer = false;
  private heldByQueue = false;
  private completedAFrame = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private peerTimer: NodeJS.Timeout | undefined;
  private heldTimer: NodeJS.Timeout | undefined;
  private inputEnded = false;
  /** Waiting for the client to read (whenWritable), and the timer that cuts a client that never does. */
  private writableWaiters: Array<() => void> = [];
  private writesAwaited = 0;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: net.Socket,
    private readonly limits: FlowLimits,
    private readonly events: ConnectionEvents,
  ) {
    // A client that vanishes must never raise in the worker.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer | string) => {
      if (!this.closed) events.data(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    });
    socket.on('end', () => {
      this.inputEnded = true;
      if (!this.closed) events.end?.();
    });
    socket.on('drain', () => {
      if (this.droppedCount > 0 && !this.closed) {
        const count = this.droppedCount;
        this.droppedCount = 0;
        events.dropped(count);
      }
      if (this.heldByOutput && socket.writableLength <= this.limits.outputBufferBytes) {
        this.heldByOutput = false;
        this.applyHold();
      }
      if (this.writableWaiters.length > 0 && this.roomForReply) this.wakeWriters();
    });
    socket.once('close', () => {
      this.closed = true;
      this.writableWaiters = [];
      if (this.stallTimer) clearTimeout(this.stallTimer);
      this.clearFrameTimer();
      this.unwatchPeer();
      events.close();
    });
    this.armFrameTimer();
  }

  /**
   * Writes bytes. A `droppable` write is shed (and counted for the notice)
   * while the client is behind; returns false when it was. `written` is
   * called when the socket no longer needs the bytes.
   */
  write(bytes: string | Uint8Array, droppable = false, written?: () => void): boolean {
    const socket = this.socket;
    if (this.closed || socket.destroyed || !socket.writable) return false;
    if (droppable && socket.writableLength > this.limits.outputBufferBytes) {
      this.droppedCount += 1;
      return false;
    }
    // `written` once the socket is done with the bytes (and only if it wrote them).
    if (written) {
      this.writesAwaited += 1;
      this.armStall();
      socket.write(bytes, (err) => {
        this.writesAwaited -= 1;
        this.progressed();
        if (!err) written();
      });
    } else {
      socket.write(bytes);
    }
    if (!this.heldByOutput && socket.writableLength > 2 * this.limits.outputBufferBytes) {
      this.heldByOutput = true;
      this.applyHold();
    }
    return true;
  }

  /** True while at most REPLY_AHEAD_BYTES (and never more than `outputBufferBytes`) wait in the socket. */
  private get roomForReply(): boolean {
    return !this.closed && !this.socket.destroyed && this.socket.writableLength <= Math.min(REPLY_AHEAD_BYTES, this.limits.outputBufferBytes);
  }

  /**
   * Calls `ready` once at most REPLY_AHEAD_BYTES wait in the socket (at once
   * if so), for a reply written as it comes (a long value the main thread
   * prints in pieces): the client's reading paces the printing. What waits
   * for a client that reads nothing is the host's memory, so one that has not
   * read for `frameTimeoutMs` is cut, the bound an unfinished request frame
   * has. Never called once the socket closed.
   */
  whenWritable(ready: () => void): void {
    if (this.roomForReply) return ready();
    if (this.closed) return;
    this.writableWaiters.push(ready);
    this.armStall();
  }

  private wakeWriters(): void {
    const waiters = this.writableWaiters;
    this.writableWaiters = [];
    this.progressed();
    for (const ready of waiters) ready();
  }

  /** Cuts the connection if a reply waiting on the client (whenWritable, a `written` write) sees no progress. */
  private armStall(): void {
    if (this.stallTimer || this.closed || this.limits.frameTimeoutMs <= 0) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.writableWaiters.length > 0 || this.writesAwaited > 0) this.destroy();
    }, this.limits.frameTimeoutMs);
    this.stallTimer.unref();
  }

  /** The client read something: the stall clock starts again, if anything still waits on it. */
  private progressed(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.writableWaiters.length > 0 || this.writesAwaited > 0) this.armStall();
  }

  /**
   * Counts a request of `bytes` as in progress until the returned function is
   * called (once; later calls do nothing). Reading pauses at the limits.
   */
  begin(bytes: number): () => void {
    this.pendingRequests += 1;
    this.pendingBytes += bytes;
    this.updateInputHold();
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.pendingRequests -= 1;
      this.pendingBytes -= bytes;
      this.updateInputHold();
    };
  }

  /** Stops (or resumes) reading because the consumer of the input, on another thread, is full. */
  holdInput(held: boolean): void {
    if (held === this.heldByConsumer) return;
    this.heldByConsumer = held;
    this.applyHold();
  }

  /**
   * Stops (or resumes) reading because the protocol holds more than twice
   * `outputBufferBytes` of replies it cannot write yet (they wait behind a
   * reply written in parts): the same bound as replies waiting in the socket.
   */
  holdForQueue(queuedBytes: number): void {
    const held = queuedBytes > 2 * this.limits.outputBufferBytes;
    if (held === this.heldByQueue) return;
    this.heldByQueue = held;
    this.applyHold();
  }

  /**
   * The protocol's report after reading: whether it completed a frame and
   * whether an unfinished one is buffered now. Drives the frame timeout.
   */
  framing(completed: boolean, partial: boolean): void {
    if (completed) {
      this.completedAFrame = true;
      this.clearFrameTimer();
    }
    if (partial) {
      if (!this.frameTimer) this.armFrameTimer();
    } else if (this.completedAFrame) {
      this.clearFrameTimer();
    }
  }

  /**
   * After the client's FIN: checks twice a second whether the client still
   * holds its socket, and destroys the connection once it does not. Only
   * loopback TCP on Linux can be checked; elsewhere this does nothing.
   */
  watchPeer(): void {
    const s = this.socket;
    if (this.peerTimer || this.closed || !s.remoteAddress || !isLoopbackAddress(s.remoteAddress)) return;
    const lookups = systemLookups();
    if (!lookups) return;
    const check = () => {
      if (this.closed || s.remoteAddress === undefined || s.remotePort === undefined || s.localAddress === undefined || s.localPort === undefined) {
        return this.unwatchPeer();
      }
      void lookups.lookup({ address: s.remoteAddress, port: s.remotePort }, { address: s.localAddress, port: s.localPort }).then((row) => {
        if (!this.closed && (row === undefined || row.inode === 0)) this.destroy();
      });
    };
    this.peerTimer = setInterval(check, 500);
    this.peerTimer.unref();
    check();
  }

  /** Stops watching (the answers are all written). */
  unwatchPeer(): void {
    if (this.peerTimer) clearInterval(this.peerTimer);
    this.peerTimer = undefined;
  }

  /** Flushes what is written, half-closes, and destroys the socket if the client lingers. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearFrameTimer();
    const socket = this.socket;
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the connection now. */
  destroy(): void {
    this.clearFrameTimer();
    this.unwatchPeer();
    this.socket.destroy();
  }

  private updateInputHold(): void {
    // A single request larger than the byte bound must still be served: the byte bound holds only while two wait.
    const held =
      this.pendingRequests >= this.limits.maxPendingRequests || (this.pendingBytes >= this.limits.maxPendingBytes && this.pendingRequests > 1);
    if (held === this.heldByInput) return;
    this.heldByInput = held;
    this.applyHold();
  }

  /** True while reading is paused: a protocol keeps back requests it already decoded. */
  get inputHeld(): boolean {
    return this.heldByInput || this.heldByOutput || this.heldByConsumer || this.heldByQueue;
  }

  private applyHold(): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.inputHeld) {
      this.socket.pause();
      if (!this.heldTimer) {
        this.heldTimer = setTimeout(() => {
          this.heldTimer = undefined;
          if (this.inputHeld) this.watchPeer();
        }, HELD_WATCH_MS);
        this.heldTimer.unref();
      }
    } else {
      if (this.heldTimer) clearTimeout(this.heldTimer);
      this.heldTimer = undefined;
      if (!this.inputEnded) this.unwatchPeer();
      this.socket.resume();
      this.events.resumed?.();
    }
  }


  private armFrameTimer(): void {
    if (this.limits.frameTimeoutMs <= 0 || this.closed) return;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      if (this.closed) return;
      this.events.timedOut?.();
      this.end();
    }, this.limits.frameTimeoutMs);
    this.frameTimer.unref();
  }

  private clearFrameTimer(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }
}


/** The bounds of a server spec's connections. */
export function flowLimitsOf(spec: { 'output-buffer-bytes': number; 'frame-timeout-ms'?: number }): FlowLimits {
  return {
    ...DEFAULT_FLOW_LIMITS,
    outputBufferBytes: spec['output-buffer-bytes'],
    frameTimeoutMs: spec['frame-timeout-ms'] ?? DEFAULT_FLOW_LIMITS.frameTimeoutMs,
  };
}
