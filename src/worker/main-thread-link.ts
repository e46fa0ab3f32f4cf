/**
 * Worker side of "ask the main thread to do something in the host's world"
 * (evaluate, complete, look up...). A call gets a number; the main thread
 * answers with batches of events for it and marks the last batch `final`.
 *
 * Events that arrive after a call is final or forgotten — output from timers
 * an eval started, after its `done` — carry the connection they belong to
 * (`conn`) and go to that connection's handler, if it is still connected.
 * Output for a connection that is gone (it was in flight when the client
 * left) goes back to the main thread for the host's own streams.
 */
import type { ToHost, ToWorker } from '../seam/channel';
import type { CallKind, Calls, EvalEvent, NotificationKind, Notifications, OutputEvent } from '../seam/calls';
import { OUTPUT_IN_FLIGHT } from '../seam/eval-slots';

/** One piece of a value stream, as the main thread sends it (seam/channel.ts). */
export type ValuePiece = Extract<ToWorker, { t: 'valuePiece' }>;

/** One event from the main thread about an evaluation (seam/calls.ts has every call's events). */
export type CallEvent = EvalEvent;

type Listener = (event: never, final: boolean) => void;

/** Routes main-thread calls and their events. */
export class MainThreadLink {
  private readonly pending = new Map<number, Listener>();
  private readonly connections = new Map<number, (event: OutputEvent) => void>();
  /** Value streams being read (EvalEvent.valueStream): the handler of each, and its connection. */
  private readonly values = new Map<number, { conn: number; onPiece: (piece: ValuePiece) => void }>();
  private nextCall = 0;
  private nextConnection = 0;

  /** @param outputBudget the shared eval flag; slot 2 counts output in flight (eval/emitter.ts). */
  constructor(
    private readonly post: (m: ToHost, transfer?: ArrayBuffer[]) => void,
    private readonly outputBudget?: Int32Array,
  ) {}

  /** Sends a call of `kind` to the main thread; `listener` gets every event until the final one. */
  call<K extends CallKind>(kind: K, payload: Calls[K]['payload'], listener: (event: Calls[K]['event'], final: boolean) => void): number {
    const call = ++this.nextCall;
    this.pending.set(call, listener as Listener);
    this.post({ t: 'eval', call, kind, ...payload } as ToHost);
    return call;
  }

  /** Forgets a call: its later events go to its connection's handler (if any). */
  forget(call: number): void {
    this.pending.delete(call);
  }

  /** Sends a fire-and-forget message to the main thread. */
  notify<K extends NotificationKind>(kind: K, payload: Notifications[K]): void {
    this.post({ t: 'eval', call: 0, kind, ...payload } as ToHost);
  }

  /** Registers a connection for late events; returns its number and an unregister function. */
  openConnection(handler: (event: EvalEvent) => void): { conn: number; closeConnection: () => void } {
    const conn = ++this.nextConnection;
    this.connections.set(conn, handler);
    return {
      conn,
      closeConnection: () => {
        this.connections.delete(conn);
        // The main thread lets go of their text when it hears of the close.
        for (const [stream, value] of this.values) if (value.conn === conn) this.values.delete(stream);
        this.notify('connection-closed', { conn });
      },
    };
  }

  /** Reads value stream `stream` of connection `conn`: `onPiece` gets each piece the worker pulls. */
  readValue(stream: number, conn: number, onPiece: (piece: ValuePiece) => void): void {
    this.values.set(stream, { conn, onPiece });
  }

  /**
   * Asks for `pieces` more pieces of a value stream, giving back the bytes
   * of a piece the socket has written, for the main thread to fill again:
   * the worker allocates almost nothing, so it would collect spent pieces
   * only long after, and they would add up to the whole value.
   */
  pullValue(stream: number, pieces: number, spare?: Uint8Array): void {
    if (!this.values.has(stream)) return;
    if (!spare) return this.notify('value-pull', { stream, pieces });
    this.post({ t: 'eval', call: 0, kind: 'value-pull', stream, pieces, spare }, [spare.buffer as ArrayBuffer]);
  }

  /** Stops reading a value stream: the main thread lets go of its text. */
  dropValue(stream: number): void {
    if (this.values.delete(stream)) this.notify('value-drop', { stream });
  }

  /** Delivers a piece of a value stream. */
  receivePiece(piece: ValuePiece): void {
    const value = this.values.get(piece.stream);
    if (!value) return;
    if (piece.last) this.values.delete(piece.stream);
    value.onPiece(piece);
  }

  /** Gives back the output budget of events about to be handed to their sockets. */
  private release(events: Array<Record<string, unknown>>): void {
    if (!this.outputBudget || this.outputBudget.length < 3) return;
    let chars = 0;
    for (const event of events) {
      if (typeof event.out === 'string') chars += event.out.length;
      if (typeof event.err === 'string') chars += event.err.length;
    }
    if (chars > 0) Atomics.sub(this.outputBudget, OUTPUT_IN_FLIGHT, chars);
  }

  /** Delivers a batch of events from the main thread. */
  receive(message: Extract<ToWorker, { t: 'evalReply' }>): void {
    const listener = this.pending.get(message.call);
    const events = message.events;
    this.release(events);
    if (!listener) {
      for (const event of events) {
        // A long value nobody waits for any more (its eval was abandoned): the main thread lets go of it.
        if (event.valueStream) this.notify('value-drop', { stream: event.valueStream.stream });
        const conn = event.conn;
        if (typeof conn !== 'number') continue;
        const handler = this.connections.get(conn);
        if (handler) handler(event);
        else if (typeof event.out === 'string' || typeof event.err === 'string') {
          this.notify('unclaimed-output', { out: event.out, err: event.err });
        }
      }
      return;
    }
    if (message.final) this.pending.delete(message.call);
    // The listener was registered with its call's event type (seam/calls.ts); the main thread answers in it.
    const deliver = listener as (event: unknown, final: boolean) => void;
    events.forEach((event, i) => deliver(event, message.final && i === events.length - 1));
    if (message.final && events.length === 0) deliver({}, true);
  }
}
