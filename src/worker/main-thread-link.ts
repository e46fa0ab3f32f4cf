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

/** One event from the main thread about an evaluation (seam/calls.ts has every call's events). */
export type CallEvent = EvalEvent;

type Listener = (event: never, final: boolean) => void;

/** Routes main-thread calls and their events. */
export class MainThreadLink {
  private readonly pending = new Map<number, Listener>();
  private readonly connections = new Map<number, (event: OutputEvent) => void>();
  private nextCall = 0;
  private nextConnection = 0;

  /** @param outputBudget the shared eval flag; slot 2 counts output in flight (eval/emitter.ts). */
  constructor(
    private readonly post: (m: ToHost) => void,
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
        this.notify('connection-closed', { conn });
      },
    };
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
