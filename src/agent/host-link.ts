/**
 * Worker side of "ask the main thread to do something in the host's world"
 * (evaluate, complete, look up...). A call gets a number; the main thread
 * answers with any number of events for it and marks the last one `final`.
 */
import type { ToHost, ToWorker } from './channel';

/** One event from the main thread about a call. */
export interface HostEvent {
  [key: string]: unknown;
}

type Listener = (event: HostEvent, final: boolean) => void;

/** Routes host calls and their events. */
export class HostLink {
  private readonly pending = new Map<number, Listener>();
  private nextCall = 0;

  constructor(private readonly post: (m: ToHost) => void) {}

  /** Sends a call of `kind` to the main thread; `listener` gets every event until the final one. */
  call(kind: string, payload: Record<string, unknown>, listener: Listener): number {
    const call = ++this.nextCall;
    this.pending.set(call, listener);
    this.post({ t: 'eval', call, kind, ...payload });
    return call;
  }

  /** Forgets a call: later events for it are dropped (an interrupted or abandoned eval). */
  forget(call: number): void {
    this.pending.delete(call);
  }

  /** Sends a fire-and-forget message about a call (e.g. stdin for a running eval). */
  notify(kind: string, payload: Record<string, unknown>): void {
    this.post({ t: 'eval', call: 0, kind, ...payload });
  }

  /** Delivers a reply from the main thread. */
  receive(message: Extract<ToWorker, { t: 'evalReply' }>): void {
    const call = message.call as number;
    const listener = this.pending.get(call);
    if (!listener) return;
    const final = message.final === true;
    if (final) this.pending.delete(call);
    listener(message.event as HostEvent, final);
  }
}
